import Foundation
import SwitchboardCore

/// Where a pull source stopped in a growing file: which file (device + inode),
/// the byte offset after the last complete line read, and that line's number.
struct FileCursor: Codable, Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var offset: UInt64
    var line: Int

    /// Device, inode and size of the file at `path`, nil when it does not exist.
    static func identity(of path: String) -> (device: UInt64, inode: UInt64, size: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino), UInt64(st.st_size))
    }

    /// The reading plan of one pass: an earlier file to finish first (after
    /// rotation, found by its inode next to the path), then the current file.
    struct Plan {
        var rotatedTail: (url: URL, cursor: FileCursor)?
        var current: FileCursor
        var currentURL: URL
        /// Why the current file is read from its start, for the log.
        var restartReason: String?
    }

    /// Decides what to read in this pass.
    static func plan(for url: URL, previous: FileCursor?) -> Plan? {
        guard let id = identity(of: url.path) else { return nil }
        let fresh = FileCursor(device: id.device, inode: id.inode, offset: 0, line: 1)
        guard let previous else { return Plan(current: fresh, currentURL: url) }
        if previous.device == id.device && previous.inode == id.inode {
            if id.size < previous.offset {
                return Plan(current: fresh, currentURL: url, restartReason: "the file was truncated")
            }
            return Plan(current: previous, currentURL: url)
        }
        // Rotated: finish the old file if it is still next to the new one.
        var tail: (URL, FileCursor)?
        let dir = url.deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
            let candidate = dir.appendingPathComponent(name)
            if let cid = identity(of: candidate.path), cid.device == previous.device, cid.inode == previous.inode,
               cid.size >= previous.offset {
                tail = (candidate, previous)
                break
            }
        }
        return Plan(rotatedTail: tail, current: fresh, currentURL: url, restartReason: "the file was rotated")
    }
}
