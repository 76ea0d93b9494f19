import Foundation

/// With `SWITCHBOARD_TIMING` set in the environment, a report prints how long each phase took on
/// stderr (scan, grouping and building, verdicts, walk, finish) — a diagnostic for benchmarks.
enum Timing {
    static let enabled = ProcessInfo.processInfo.environment["SWITCHBOARD_TIMING"] != nil
    private static let lock = NSLock()
    /// Guarded by `lock` (a server may compute two reports at once).
    nonisolated(unsafe) private static var last: UInt64 = 0

    static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        if last > 0 && now >= last {
            FileHandle.standardError.write(Data("timing \(phase()): \(Double(now - last) / 1e9)s\n".utf8))
        }
        last = now
    }
}
