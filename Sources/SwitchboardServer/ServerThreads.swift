import Foundation
import NIOCore
import NIOPosix

/// The server's event loops: one thread per CPU the process may run on.
///
/// NIO's shared group counts the machine's CPUs. A `serve` restricted to fewer (`taskset`, a container's
/// cpuset) would then run more loop threads than CPUs, and each request pays for threads taking turns on
/// one core: on one core, one loop instead of two answers about a quarter more webhook deliveries per second
/// (bench/RESULTS.md). Every server in a process shares this group.
enum ServerThreads {
    static let eventLoops = MultiThreadedEventLoopGroup(
        numberOfThreads: usableCPUs(status: try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                                    machine: System.coreCount))

    /// The CPUs of the process's affinity mask, read from the `Cpus_allowed:` line of `/proc/self/status`
    /// (hexadecimal, in comma-separated groups); `machine` (NIO's count, which follows a container's CPU quota)
    /// where there is no such line, and never more.
    static func usableCPUs(status: String?, machine: Int) -> Int {
        let line = status?.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed:") }
        let mask = line?.dropFirst("Cpus_allowed:".count)
        let n = mask?.reduce(0) { count, c in count + (c.hexDigitValue?.nonzeroBitCount ?? 0) } ?? 0
        return n > 0 ? min(n, machine) : machine
    }
}
