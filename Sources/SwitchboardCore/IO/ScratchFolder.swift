import Foundation

/// A temporary folder for the files one import unpacks (a zip export's chat), removed when the
/// import ends — and, when the process was killed first, by the next import.
///
/// The folder is `switchboard-scratch-<pid>-<uuid>` in the temporary directory (`$TMPDIR`), and
/// its owner holds an exclusive `flock` on the `owner.lock` file inside for as long as it lives;
/// the kernel drops that lock whatever way the process ends. ``removeStale(in:now:)`` — run when
/// a scratch folder is made and when `switchboard import` starts — deletes the folders of that name
/// whose lock it can take and whose owner is gone: its pid no longer runs, or the folder is older
/// than ``grace`` (a live owner locks within moments of creating it). A running import's folder
/// is never touched; nothing else in the temporary directory is either.
public final class ScratchFolder: @unchecked Sendable {   // `lockFile` is only touched under `mutex`
    public static let prefix = "switchboard-scratch-"
    static let lockName = "owner.lock"
    /// How long a new folder may be without its lock before another process may judge it stale.
    public static let grace: TimeInterval = 60

    public let url: URL
    private let mutex = NSLock()
    /// The descriptor holding the `flock`; nil once removed.
    private var lockFile: Int32?

    /// Makes the folder (after removing stale ones of earlier runs) and takes its lock.
    /// - Throws: ``ConnectorError`` `.io` when the folder cannot be made or locked.
    public init(in parent: URL = FileManager.default.temporaryDirectory) throws {
        Self.removeStale(in: parent)
        url = parent.appendingPathComponent("\(Self.prefix)\(getpid())-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ConnectorError(.io, "cannot make a scratch folder in \(parent.path) (\(error)); set TMPDIR to a writable folder with room for the unpacked export")
        }
        let fd = open(url.appendingPathComponent(Self.lockName).path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX) == 0 else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            try? FileManager.default.removeItem(at: url)
            throw ConnectorError(.io, "cannot lock the scratch folder \(url.path): \(reason)")
        }
        lockFile = fd
    }

    /// Deletes the folder and lets go of its lock; later calls do nothing.
    public func remove() {
        mutex.withLock {
            guard let fd = lockFile else { return }
            try? FileManager.default.removeItem(at: url)
            close(fd)
            lockFile = nil
        }
    }

    deinit { remove() }

    /// Deletes the scratch folders in `parent` left by processes that are gone; returns them.
    @discardableResult
    public static func removeStale(in parent: URL = FileManager.default.temporaryDirectory, now: Date = Date()) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var removed: [URL] = []
        for name in names where name.hasPrefix(prefix) {
            let folder = parent.appendingPathComponent(name)
            if removeIfStale(folder, name: name, now: now) { removed.append(folder) }
        }
        return removed
    }

    /// Takes the folder's lock (without waiting) and, holding it, deletes the folder when its owner is gone.
    private static func removeIfStale(_ folder: URL, name: String, now: Date) -> Bool {
        let fd = open(folder.appendingPathComponent(lockName).path, O_RDWR | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        if fd >= 0, flock(fd, LOCK_EX | LOCK_NB) != 0 { return false }   // its owner holds it
        guard ownerIsGone(name) || age(of: folder, now: now) > grace else { return false }
        return (try? FileManager.default.removeItem(at: folder)) != nil
    }

    /// Whether the pid in `switchboard-scratch-<pid>-<uuid>` runs no more.
    static func ownerIsGone(_ name: String) -> Bool {
        guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }), pid > 0, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    private static func age(of folder: URL, now: Date) -> TimeInterval {
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder.path)
        guard let modified = attributes?[.modificationDate] as? Date else { return 0 }
        return now.timeIntervalSince(modified)
    }
}
