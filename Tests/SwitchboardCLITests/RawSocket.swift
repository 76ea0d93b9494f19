import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client on loopback that writes and reads raw bytes, for driving `serve` the way an
/// idle, slow or careless client would (half-sent requests, whole bodies written before reading).
final class RawSocket {
    let fd: Int32

    /// What one wait for the server brought.
    enum Event: Equatable {
        case data(String)
        case closed
        case timeout
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure(description: "connect: errno \(code)")
        }
    }

    deinit { Glibc.close(fd) }

    /// Makes a `send` that cannot go on give up after `seconds` instead of blocking for ever.
    func sendTimeout(seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false when the server closed or the send timed out first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Waits up to `timeout` for bytes or the end of the connection.
    func wait(_ timeout: Duration) -> Event {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&p, 1, ms) > 0 else { return .timeout }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n <= 0 ? .closed : .data(String(decoding: buffer[..<n], as: UTF8.self))
    }

    /// Everything the server sends until it closes the connection, and whether it did within `timeout`.
    func readToEnd(within timeout: Duration) -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while ContinuousClock.now < deadline {
            switch wait(deadline - ContinuousClock.now) {
            case .data(let s): text += s
            case .closed: return (text, true)
            case .timeout: return (text, false)
            }
        }
        return (text, false)
    }

    /// Raises this process's soft open-file limit to its hard limit, so a test can hold many sockets.
    static func raiseOpenFileLimit() {
        var limits = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limits) == 0, limits.rlim_cur < limits.rlim_max else { return }
        limits.rlim_cur = limits.rlim_max
        setrlimit(resource, &limits)
    }
}
