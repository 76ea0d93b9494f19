import Foundation
import NIOCore

/// NIO's shared event loops — the server's and the PostgreSQL store's — one thread per CPU the process may run on.
///
/// NIO counts the machine's CPUs. A `switchboard` restricted to fewer (`taskset`, a container's cpuset) would then
/// run more loop threads than CPUs, and each request pays for threads taking turns on one core: on one core, one
/// loop instead of two answers about a quarter more webhook deliveries per second (bench/RESULTS.md).
public enum EventLoopThreads {
    /// Sets `NIO_SINGLETON_GROUP_LOOP_COUNT` (NIO's own setting for its shared group's size) to ``usableCPUs``,
    /// unless the environment already sets it. Call first thing, before any NIO group exists.
    public static func followAffinity() {
        let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        setenv("NIO_SINGLETON_GROUP_LOOP_COUNT", String(usableCPUs(status: status, machine: System.coreCount)), 0)
    }

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
