import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built binary as a child of the test process and reads the child's own peak resident
/// memory: how a memory limit is checked on the real program.
///
/// The peak is the child's `VmHWM` (/proc/PID/status), read every 5 ms while it runs: `ru_maxrss`
/// of `wait4` cannot be used, since Linux counts in it the peak of the memory the child was spawned
/// from — the whole test process's — when it execs. Growth in the child's last 5 ms may be missed;
/// when the child ends before the first reading, `ru_maxrss` (an upper bound) is reported.
enum PeakMemory {
    struct Run {
        var status: Int32
        /// Standard output and error together.
        var output: String
        /// The child's peak resident memory.
        var maxResidentMiB: Double
        var seconds: Double
        /// Whether the child was killed at the timeout.
        var timedOut: Bool
    }

    /// Runs `switchboard args` (paths in `args` absolute; standard input is /dev/null), killing it after `timeout`.
    static func run(_ args: [String], timeout: Duration = .seconds(120)) throws -> Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sb-peak-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SWITCHBOARD_CONFIG")
        let argv = ([CLI.binary.path] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, CLI.binary.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw failure("posix_spawn failed: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        var highWaterKiB = 0
        // Wait for the child (reading its peak every 5 ms), killing it at the deadline.
        while true {
            highWaterKiB = max(highWaterKiB, residentHighWaterKiB(of: pid))
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid { break }
            if done < 0, errno != EINTR { throw failure("wait4 failed: \(String(cString: strerror(errno)))") }
            if !timedOut, ContinuousClock.now - started > timeout {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        let elapsed = ContinuousClock.now - started
        let exited = status & 0x7F == 0
        return Run(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                   output: (try? String(contentsOf: log, encoding: .utf8)) ?? "",
                   maxResidentMiB: Double(highWaterKiB > 0 ? highWaterKiB : usage.ru_maxrss) / 1024,
                   seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                   timedOut: timedOut)
    }

    /// `VmHWM` of a running process in KiB; 0 when it cannot be read (the process has ended).
    static func residentHighWaterKiB(of pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0   // VmHWM:\t 5200 kB
    }

    private static func failure(_ message: String) -> CocoaError {
        CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
