import Foundation
import NIOCore
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// The metrics scan of the PostgreSQL store: only the metrics columns, in binary (the extended protocol's
/// result format), turned into numbers by the reader the SQLite scan uses (``MetricsPart``) —
/// no ``Interaction`` values. The `seq` range is split like SQLite's rowid range and the parts are read
/// on several pooled connections at once, then appended in `seq` order.
///
/// Snapshot: one `REPEATABLE READ READ ONLY` transaction exports its snapshot (`pg_export_snapshot()`) in the
/// statement that reads the `seq` bounds, reads the first range itself and stays open until every other part,
/// each in its own transaction started with `SET TRANSACTION SNAPSHOT`, has finished. So all parts see exactly
/// the rows committed when the scan began: a batch committed meanwhile is wholly out, even though sequence
/// numbers are handed out before commit and a later commit may hold smaller seqs.
///
/// Why a narrow SELECT (through a cursor) and not `COPY … TO STDOUT (FORMAT binary)`: postgres-nio offers
/// `COPY FROM` only, and the extended protocol already returns the SELECT in binary, one `DataRow` per interaction,
/// without text parsing.
extension PostgresStore {
    /// The scan's query for one seq range.
    static func metricsSQL(_ range: ClosedRange<Int64>) -> String {
        "SELECT \(MetricsScanColumns.names.joined(separator: ", ")) FROM interactions "
            + "WHERE seq BETWEEN \(range.lowerBound) AND \(range.upperBound)"
    }
    /// Below this many rows one connection reads everything.
    static let metricsSplitRows: Int64 = 200_000

    public func scanMetrics() async throws -> MetricsScan { try await scanMetrics(parts: nil) }

    /// The metrics scan in `parts` seq ranges (nil: two, or one below ``metricsSplitRows`` rows; never more than the
    /// pool has connections), read concurrently under one snapshot. Any number of parts gives the same scan.
    /// - Throws: ``StoreError`` naming the store when the server or a connection fails, never a partial scan.
    public func scanMetrics(parts: Int?) async throws -> MetricsScan { try await scanMetricsBounded(parts: parts, recent: 0).scan }

    /// ``scanMetrics(parts:)``, the largest seq it read up to (0 for an empty table) and, of the same snapshot,
    /// the seqs of the `recent` seq numbers below it (for ``MetricsFollowing``).
    func scanMetricsBounded(parts: Int?, recent: Int64) async throws -> (scan: MetricsScan, highest: Int64, recent: [Int64]) {
        let storeName = "PostgreSQL store \(location.redacted)"
        let poolSize = location.poolSize
        let action = "read interactions for the report"
        return try await read(action, retry: false) { scan in
            try await scan.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                let bounds = try await scan.rows(unsafeSQL:
                    "SELECT pg_export_snapshot(), (SELECT min(seq) FROM interactions), (SELECT max(seq) FROM interactions)")
                    .first?.decode((String, Int64?, Int64?).self)
                guard case let (snapshot, lo?, hi?)? = bounds else { return (MetricsScan(), 0, []) }
                let recentSeqs = recent > 0 ? try await scan.seqs(above: hi - recent) : []
                // An identifier the server made (hex digits and dashes); checked anyway, as it is spliced into a statement.
                guard !snapshot.isEmpty, snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) || (65...70).contains($0) })
                else { throw StoreError(.query, "\(storeName): unexpected snapshot id '\(snapshot)' from the server") }
                let plan = MetricsScanPlan(lo: lo, hi: hi, parts: parts.map { min($0, poolSize) } ?? (poolSize > 1 ? nil : 1),
                                           splitRows: Self.metricsSplitRows)
                var scans = try await withThrowingTaskGroup(of: (Int, MetricsScan).self) { group in
                    for k in plan.ranges.indices.dropFirst() {
                        let range = plan.ranges[k], tableRows = plan.tableRows(part: k)
                        group.addTask {
                            (k, try await self.read(action, retry: false) { part in
                                try await part.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                                    _ = try await part.rows(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'")
                                    return try await part.readMetrics(range, tableRows: tableRows, storeName: storeName)
                                }
                            })
                        }
                    }
                    var out = [MetricsScan?](repeating: nil, count: plan.ranges.count)
                    out[0] = try await scan.readMetrics(plan.ranges[0], tableRows: plan.tableRows(part: 0), storeName: storeName)
                    for try await (k, part) in group { out[k] = part }
                    return out
                }
                return (MetricsScanPlan.join(&scans), hi, recentSeqs)
            }
        }
    }
}

extension PostgresReader {
    /// Reads the rows of one seq range into a fresh scan, inside the reader's transaction, through a cursor
    /// (``cursor(_:_:)``: blocks of bounded size, each taken off the connection whole before it is decoded).
    func readMetrics(_ range: ClosedRange<Int64>, tableRows: Int?, storeName: String) async throws -> MetricsScan {
        var part = MetricsPart(PostgresCells(storeName: storeName), from: range.lowerBound, to: range.upperBound, tableRows: tableRows)
        var checked = false
        try await cursor("metrics_scan", PostgresQuery(unsafeSQL: PostgresStore.metricsSQL(range))) { block in
            for row in block {
                try part.reader.cells.load(row, checkTypes: !checked)
                checked = true
                try part.read()
            }
        }
        return part.finish()
    }
}

/// The current row of the PostgreSQL metrics statement, split into its fields by offset.
///
/// A row arrives as one `DataRow` message: per column, its length as a big-endian int32 (-1 for NULL) and its bytes,
/// back to back. The driver has checked those lengths against the message when it received it; the driver's cells
/// (one object per column) cost more than the rest of the scan, so only the first is taken — `seq`, never NULL — and
/// the other fields are found from it by walking the message. Pointers point into the row's buffer, which is held
/// here, and not changed, until the next row is loaded: as long as the reader uses them.
struct PostgresCells: MetricsCells {
    let storeName: String
    private var row: ByteBuffer?
    private var base = UnsafePointer<UInt8>(PostgresCells.empty)
    /// Per field: offset from the first field's first byte (-1 for NULL) and length.
    private let fields = FieldTable(count: MetricsScanColumns.names.count)
    /// The address of every empty text (never written).
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)

    init(storeName: String) {
        self.storeName = storeName
    }

    /// The driver's types of the fields, by position.
    static let expectedTypes: [PostgresDataType] = [.int8] + MetricsScanColumns.columns.map { c in
        switch c.storage {
        case .integer: .int8
        case .real: .float8
        case .text: .text
        }
    }

    @inline(__always) private static func be32(_ p: UnsafePointer<UInt8>) -> Int32 {
        Int32(bigEndian: UnsafeRawPointer(p).loadUnaligned(as: Int32.self))
    }

    /// Every column in binary and of the type the scan reads: a table changed by another program is an error, not a misread.
    static func check(_ row: PostgresRow, storeName: String) throws {
        guard row.count == expectedTypes.count else {
            throw StoreError(.corrupt, "\(storeName): the metrics statement returned \(row.count) columns, expected \(expectedTypes.count)")
        }
        for (k, cell) in row.enumerated() where cell.format != .binary || cell.dataType != expectedTypes[k] {
            throw StoreError(.corrupt, "\(storeName): column \(cell.columnName) of interactions has type \(cell.dataType) "
                + "(\(cell.format)), expected \(expectedTypes[k]); the table was changed by another program")
        }
    }

    /// Splits the row into fields; with `checkTypes`, first checks its columns (``check(_:storeName:)``).
    mutating func load(_ row: PostgresRow, checkTypes: Bool = false) throws {
        if checkTypes { try Self.check(row, storeName: storeName) }
        var cells = row.makeIterator()
        guard let first = cells.next(), let bytes = first.bytes, bytes.readableBytes == 8 else { throw malformed() }
        self.row = bytes
        guard let start = bytes.withUnsafeReadableBytes({ $0.baseAddress?.assumingMemoryBound(to: UInt8.self) }) else {
            throw malformed()
        }
        base = start
        fields.offsets[0] = 0
        fields.lengths[0] = 8
        var at: Int32 = 8
        for k in 1..<fields.count {
            let length = Self.be32(start + Int(at))
            at += 4
            if length < 0 {
                fields.offsets[k] = -1
            } else {
                fields.offsets[k] = at
                fields.lengths[k] = length
                at += length
            }
        }
    }

    private func malformed() -> StoreError {
        StoreError(.corrupt, "\(storeName): a row of the metrics statement has no 8-byte seq")
    }

    @inline(__always) func isNull(_ column: Int32) -> Bool { fields.offsets[Int(column)] < 0 }

    @inline(__always) private func word(_ column: Int32) -> UInt64? {
        let k = Int(column)
        guard fields.offsets[k] >= 0, fields.lengths[k] == 8 else { return nil }
        return UInt64(bigEndian: UnsafeRawPointer(base + Int(fields.offsets[k])).loadUnaligned(as: UInt64.self))
    }

    @inline(__always) func int64(_ column: Int32) -> Int64 { word(column).map { Int64(bitPattern: $0) } ?? 0 }

    @inline(__always) func real(_ column: Int32) -> Double { word(column).map { Double(bitPattern: $0) } ?? .nan }

    @inline(__always) func text(_ column: Int32) throws -> UnsafeBufferPointer<UInt8>? {
        let k = Int(column)
        let offset = fields.offsets[k]
        guard offset >= 0 else { return nil }
        let length = Int(fields.lengths[k])
        return length == 0 ? UnsafeBufferPointer(start: Self.empty, count: 0) : UnsafeBufferPointer(start: base + Int(offset), count: length)
    }
}

/// Offsets and lengths of a record's fields, written in place row after row.
private final class FieldTable: @unchecked Sendable {
    let count: Int
    let offsets: UnsafeMutablePointer<Int32>
    let lengths: UnsafeMutablePointer<Int32>

    init(count: Int) {
        self.count = count
        offsets = .allocate(capacity: count)
        offsets.initialize(repeating: -1, count: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
    }

    deinit {
        offsets.deallocate()
        lengths.deallocate()
    }
}
