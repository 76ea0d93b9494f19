import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// The metrics scan of the PostgreSQL store: only the metrics columns, in binary (the extended protocol's
/// result format), read cell by cell into numbers by the reader the SQLite scan uses (``MetricsPart``) —
/// no ``Interaction`` values. The `seq` range is split like SQLite's rowid range and the parts are read
/// on several pooled connections at once, then appended in `seq` order.
///
/// Snapshot: one `REPEATABLE READ READ ONLY` transaction exports its snapshot (`pg_export_snapshot()`) in the
/// statement that reads the `seq` bounds, reads the first range itself and stays open until every other part,
/// each in its own transaction started with `SET TRANSACTION SNAPSHOT`, has finished. So all parts see exactly
/// the rows committed when the scan began: a batch committed meanwhile is wholly out, even though sequence
/// numbers are handed out before commit and a later commit may hold smaller seqs.
///
/// Why a narrow SELECT and not `COPY … TO STDOUT (FORMAT binary)`: postgres-nio offers `COPY FROM` only, and a
/// bound SELECT already arrives in binary, one `DataRow` per interaction, without text parsing.
extension PostgresStore {
    /// The scan's query for one seq range.
    static func metricsSQL(_ range: ClosedRange<Int64>) -> String {
        "SELECT \(MetricsScanColumns.names.joined(separator: ", ")) FROM interactions WHERE seq BETWEEN \(range.lowerBound) AND \(range.upperBound)"
    }
    /// Below this many rows one connection reads everything.
    static let metricsSplitRows: Int64 = 200_000

    public func scanMetrics() async throws -> MetricsScan { try await scanMetrics(parts: nil) }

    /// The metrics scan in `parts` seq ranges (nil: two, or one below ``metricsSplitRows`` rows; never more than the
    /// pool has connections), read concurrently under one snapshot. Any number of parts gives the same scan.
    /// - Throws: ``StoreError`` naming the store when the server or a connection fails, never a partial scan.
    public func scanMetrics(parts: Int?) async throws -> MetricsScan {
        let logger = logger
        let storeName = "PostgreSQL store \(location.redacted)"
        let poolSize = location.poolSize
        let action = "read interactions for the report"
        return try await withConnection(action, retry: false) { conn in
            let scan = ScanConnection(conn: conn, storeName: storeName, logger: logger)
            return try await scan.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                let bounds = try await scan.rows(
                    "SELECT pg_export_snapshot(), (SELECT min(seq) FROM interactions), (SELECT max(seq) FROM interactions)")
                    .first?.decode((String, Int64?, Int64?).self)
                guard case let (snapshot, lo?, hi?)? = bounds else { return MetricsScan() }
                // An identifier the server made (hex digits and dashes); checked anyway, as it is spliced into a statement.
                guard !snapshot.isEmpty, snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) || (65...70).contains($0) })
                else { throw StoreError(.query, "\(storeName): unexpected snapshot id '\(snapshot)' from the server") }
                let plan = MetricsScanPlan(lo: lo, hi: hi, parts: parts.map { min($0, poolSize) } ?? (poolSize > 1 ? nil : 1),
                                           splitRows: Self.metricsSplitRows)
                var scans = try await withThrowingTaskGroup(of: (Int, MetricsScan).self) { group in
                    for k in plan.ranges.indices.dropFirst() {
                        let range = plan.ranges[k], tableRows = plan.tableRows(part: k)
                        group.addTask {
                            (k, try await self.withConnection(action, retry: false) { other in
                                let part = ScanConnection(conn: other, storeName: storeName, logger: logger)
                                return try await part.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                                    _ = try await part.rows("SET TRANSACTION SNAPSHOT '\(snapshot)'")
                                    return try await part.read(range, tableRows: tableRows)
                                }
                            })
                        }
                    }
                    var out = [MetricsScan?](repeating: nil, count: plan.ranges.count)
                    out[0] = try await scan.read(plan.ranges[0], tableRows: plan.tableRows(part: 0))
                    for try await (k, part) in group { out[k] = part }
                    return out
                }
                return MetricsScanPlan.join(&scans)
            }
        }
    }
}

/// One connection of a metrics scan. Every statement is given up, with an error naming the store, as soon as the
/// connection closes: postgres-nio can leave a query on a connection the server closed waiting forever.
struct ScanConnection: Sendable {
    let conn: PostgresConnection
    let storeName: String
    let logger: Logger

    /// Rows per `FETCH` of the scan's cursor.
    static let fetchRows = 8192

    /// The rows of one statement, taken off the connection whole.
    func rows(_ sql: String) async throws -> [PostgresRow] {
        let (conn, logger, storeName) = (conn, logger, storeName)
        let outcome = Once<[PostgresRow]>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
            let query = Task {
                do { outcome.resume(.success(try await conn.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect())) }
                catch { outcome.resume(.failure(error)) }
            }
            conn.closeFuture.whenComplete { _ in
                outcome.resume(.failure(StoreError(.unavailable, "\(storeName): cannot read interactions for the report: "
                    + "the connection to the server was lost during the scan; run the report again")))
                query.cancel()
            }
        }
    }

    /// `body` inside a transaction begun with `begin`; rolled back when it fails and the connection is still open.
    func transaction<T>(_ begin: String, _ body: () async throws -> T) async throws -> T {
        _ = try await rows(begin)
        do {
            let value = try await body()
            _ = try await rows("COMMIT")
            return value
        } catch {
            if !conn.isClosed { _ = try? await rows("ROLLBACK") }
            throw error
        }
    }

    /// Reads the rows of one seq range into a fresh scan, inside the connection's transaction.
    ///
    /// Through a cursor, `FETCH`ed in blocks that are taken off the connection whole before they are decoded: the
    /// connection is never left holding rows the scan has not asked for. (postgres-nio stops the process with a
    /// precondition failure when the server closes a connection while a row stream waits for its reader; between
    /// `FETCH`es the connection is idle, and a lost connection is an ordinary error.)
    func read(_ range: ClosedRange<Int64>, tableRows: Int?) async throws -> MetricsScan {
        _ = try await rows("DECLARE metrics_scan NO SCROLL CURSOR FOR " + PostgresStore.metricsSQL(range))
        var part = MetricsPart(PostgresCells(storeName: storeName), from: range.lowerBound, to: range.upperBound, tableRows: tableRows)
        var checked = false
        while true {
            let block = try await rows("FETCH FORWARD \(Self.fetchRows) FROM metrics_scan")
            if !checked, let first = block.first {
                try PostgresCells.check(first, storeName: storeName)
                checked = true
            }
            for row in block {
                part.reader.cells.load(row)
                try part.read()
            }
            if block.count < Self.fetchRows { break }
        }
        _ = try await rows("CLOSE metrics_scan")
        return part.finish()
    }
}

/// A continuation resumed by whichever outcome comes first.
private final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?

    func set(_ c: CheckedContinuation<T, any Error>) {
        let pending: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            continuation = c
            return nil
        }
        if let pending { c.resume(with: pending) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = lock.withLock {
            if let continuation {
                self.continuation = nil
                early = nil
                return continuation
            }
            if early == nil { early = result }
            return nil
        }
        c?.resume(with: result)
    }
}

/// The current row of the PostgreSQL metrics statement: each cell's binary value as the driver received it.
///
/// Text cells are handed to the reader as pointers into the row's buffer: the buffers are held here, and not
/// changed, until the next row is loaded, which is as long as the reader uses them.
struct PostgresCells: MetricsCells {
    let storeName: String
    private var buffers = [ByteBuffer?](repeating: nil, count: MetricsScanColumns.names.count)
    /// The address of every empty text (never written).
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)

    init(storeName: String) {
        self.storeName = storeName
    }

    /// Every cell in binary and of the type the scan reads; a table changed by another program is an error, not a misread.
    static func check(_ row: PostgresRow, storeName: String) throws {
        let columns = [InteractionColumn?.none] + MetricsScanColumns.columns.map { $0 }
        for (k, cell) in row.enumerated() {
            let expected: PostgresDataType = switch columns[k]?.storage {
            case nil, .integer: .int8
            case .real: .float8
            case .text: .text
            }
            guard cell.format == .binary, cell.dataType == expected else {
                throw StoreError(.corrupt, "\(storeName): column \(cell.columnName) of interactions has type \(cell.dataType) "
                    + "(\(cell.format)), expected \(expected); the table was changed by another program")
            }
        }
    }

    mutating func load(_ row: PostgresRow) {
        var k = 0
        for cell in row {
            buffers[k] = cell.bytes
            k += 1
        }
    }

    @inline(__always) func isNull(_ column: Int32) -> Bool { buffers[Int(column)] == nil }

    @inline(__always) func int64(_ column: Int32) -> Int64 {
        guard let b = buffers[Int(column)], b.readableBytes == 8 else { return 0 }
        return b.getInteger(at: b.readerIndex, as: Int64.self) ?? 0
    }

    @inline(__always) func real(_ column: Int32) -> Double {
        guard let b = buffers[Int(column)], b.readableBytes == 8 else { return .nan }
        return Double(bitPattern: b.getInteger(at: b.readerIndex, as: UInt64.self) ?? 0)
    }

    @inline(__always) func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>? {
        guard let b = buffers[Int(column)] else { return nil }
        return b.withUnsafeReadableBytes { raw in
            guard raw.count > 0, let base = raw.baseAddress else { return UnsafeBufferPointer(start: Self.empty, count: 0) }
            return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
        }
    }
}
