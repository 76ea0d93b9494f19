import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports for servers that tests start: chosen by the kernel, so parallel test runs and other programs
/// never collide with a fixed number.
public enum LoopbackPort {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "could not get a free port on 127.0.0.1 from the kernel" }
    }

    /// A TCP port free on 127.0.0.1 right now.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable() }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Unavailable() }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
