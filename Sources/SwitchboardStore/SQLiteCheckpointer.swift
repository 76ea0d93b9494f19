import Foundation
import GRDBSQLite

/// Copies the SQLite store's write-ahead log back into the database file on a
/// thread of its own, beside the writer.
///
/// By default the connection that commits also checkpoints (every 1,000 pages
/// of WAL, 8 MiB with the store's 8 KiB pages): on a big import that is a large share of the writer's time — reading
/// the WAL, writing its pages into the database file, syncing it — during
/// which the next batch waits. Here the writer's WAL hook only notes how long
/// the WAL is after each commit; once it holds `threshold` frames, a second
/// connection runs a PASSIVE checkpoint while the writer goes on with its next
/// transaction.
///
/// Durability is SQLite's own: every commit still syncs the WAL
/// (`synchronous=FULL`), and the checkpoint syncs the database file before the
/// WAL may be reused. SQLite starts the WAL over from its beginning only when
/// a transaction begins after a checkpoint copied every frame; so that writes
/// following each other without pause do not grow the WAL without bound, a
/// transaction that would start with more than `limit` frames in the WAL first
/// waits for the running checkpoint (``throttle()``).
///
/// Should the second connection fail to open, the hook checkpoints on the
/// writer's own connection, as SQLite's default hook does.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// WAL frames after a commit that start a checkpoint (SQLite's default autocheckpoint).
    static let defaultThreshold: Int32 = 1000
    /// WAL frames past which the next transaction waits for the running checkpoint (64 MiB of 8 KiB pages).
    static let defaultLimit: Int32 = 8192

    let path: String
    let threshold: Int32
    let limit: Int32
    private let queue = DispatchQueue(label: "switchboard.sqlite.checkpoint")
    private let running = DispatchGroup()
    private let lock = NSLock()
    // Guarded by `lock`.
    private var busy = false
    private var again = false
    private var closed = false
    private var failed = false
    private var frames: Int32 = 0
    private var runs = 0
    // Used on `queue` only.
    private var connection: OpaquePointer?

    init(path: String, threshold: Int32 = defaultThreshold, limit: Int32 = defaultLimit) {
        self.path = path
        self.threshold = max(1, threshold)
        self.limit = max(self.threshold, limit)
    }

    /// Installs the hook on the writer's connection. The hook keeps a reference to the
    /// checkpointer that is never released (one small object per opened store): the
    /// connection may outlive the store object by a little while it closes.
    func install(on writer: OpaquePointer) {
        sqlite3_wal_hook(writer, { context, db, name, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue()
                .committed(frames: frames, writer: db, name: name)
            return SQLITE_OK
        }, Unmanaged.passRetained(self).toOpaque())
    }

    /// Called by the writer's connection after each commit, with the number of frames in the WAL.
    private func committed(frames: Int32, writer: OpaquePointer?, name: UnsafePointer<CChar>?) {
        let inline: Bool = lock.withLock {
            self.frames = frames
            guard frames >= threshold, !closed else { return false }
            if failed { return true }
            if busy { again = true } else { busy = true; running.enter(); queue.async { self.run() } }
            return false
        }
        if inline, let writer { sqlite3_wal_checkpoint(writer, name) }
    }

    /// Called on the writer's queue before a transaction: waits for the running
    /// checkpoint when the WAL is past `limit`, so that the transaction can start it over.
    func throttle() {
        guard lock.withLock({ frames > limit }) else { return }
        running.wait()
    }

    /// Checkpoints run so far (for tests).
    var completedRuns: Int { lock.withLock { runs } }

    /// Waits for the running checkpoint and closes the second connection.
    func close() {
        lock.withLock { closed = true }
        running.wait()
        queue.sync {
            if let connection { sqlite3_close_v2(connection) }
            connection = nil
        }
    }

    private func run() {
        while true {
            if let db = open() {
                var log: Int32 = 0
                var copied: Int32 = 0
                _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
            }
            let more: Bool = lock.withLock {
                runs += 1
                if again, !closed, !failed { again = false; return true }
                again = false
                busy = false
                return false
            }
            if !more { break }
        }
        running.leave()
    }

    /// The second connection, opened on first use; nil (and the hook falls back to the writer) if it cannot be.
    private func open() -> OpaquePointer? {
        if let connection { return connection }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        // A read opens the WAL; the checkpoint syncs like the writer does.
        guard rc == SQLITE_OK, let db,
              sqlite3_exec(db, "PRAGMA synchronous = FULL; SELECT count(*) FROM sqlite_master", nil, nil, nil) == SQLITE_OK
        else {
            sqlite3_close_v2(db)
            lock.withLock { failed = true }
            return nil
        }
        connection = db
        return db
    }
}
