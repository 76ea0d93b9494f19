import Foundation

/// Runs independent parts of a job on the machine's cores and returns their results in part order,
/// so the outcome never depends on which part finished first.
public enum Parallel {
    /// Parts worth running at once.
    public static let width = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    public static func map<T>(_ parts: Int, _ body: (Int) -> T) -> [T] {
        guard parts > 1 else { return parts == 1 ? [body(0)] : [] }
        let out = UnsafeMutablePointer<T>.allocate(capacity: parts)
        defer { out.deallocate() }
        withoutActuallyEscaping(body) { run in
            // The parts write disjoint slots; the caller's closure only reads shared state.
            let job = Unchecked(value: (out, run))
            DispatchQueue.concurrentPerform(iterations: parts) { i in (job.value.0 + i).initialize(to: job.value.1(i)) }
        }
        let result = Array(UnsafeBufferPointer(start: out, count: parts))
        out.deinitialize(count: parts)
        return result
    }

    /// Hands values to the parts of ``Parallel/map(_:_:)`` (they touch disjoint data).
    private struct Unchecked<V>: @unchecked Sendable { let value: V }

    /// `0..<n` cut into `parts` contiguous ranges.
    public static func ranges(_ n: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, parts)
        return (0..<p).map { k in (n * k / p)..<(n * (k + 1) / p) }
    }
}
