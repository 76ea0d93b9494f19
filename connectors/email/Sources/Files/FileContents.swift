import Foundation
import SwitchboardCore

/// Reads whole files into one buffer that is kept and reused, for folders of many small files
/// (a Maildir holds one file per message): no allocation and no `URL` per file.
struct FileContents {
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Calls `body` with the bytes of the file at `path`; valid only inside `body`.
    /// - Throws: ``ConnectorError`` naming the file and the system's reason when it cannot be read.
    mutating func withContents<R>(of path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure(path) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, Int(info.st_size) >= buffer.count {
            buffer = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        }
        var count = 0
        while true {
            if count == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path)
            }
            count += n
        }
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    private static func failure(_ path: String) -> ConnectorError {
        ConnectorError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
    }
}
