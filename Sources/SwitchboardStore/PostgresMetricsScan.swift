import Foundation
import NIOCore
import PostgresNIO
import SwitchboardCore
import SwitchboardScan

/// The metrics scan of the PostgreSQL store: only the metrics columns, in binary, turned into numbers by the reader
/// the SQLite scan uses (``MetricsPart``) — no ``Interaction`` values. The `seq` range is split like SQLite's rowid
/// range and the parts are read on connections of their own at once, then appended in `seq` order.
///
/// Snapshot: one `REPEATABLE READ READ ONLY` transaction on a pooled connection exports its snapshot
/// (`pg_export_snapshot()`) in the statement that reads the `seq` bounds and stays open until every part, each in
/// its own transaction started with `SET TRANSACTION SNAPSHOT`, has finished. So all parts see exactly the rows
/// committed when the scan began: a batch committed meanwhile is wholly out, even though sequence numbers are
/// handed out before commit and a later commit may hold smaller seqs.
///
/// How a part reads: a binary `COPY (SELECT …) TO STDOUT` over a ``PostgresRawConnection``, its rows split into
/// fields where they lie in the socket's buffers. Through the driver's rows (a cursor), the driver's own per-row work
/// took as much time as the rest of the scan, and a cursor's `FETCH` costs the server more than `COPY`.
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
                try await PostgresCells.checkTable(scan, storeName: storeName)
                // An identifier the server made (hex digits and dashes); checked anyway, as it is spliced into a statement.
                guard !snapshot.isEmpty, snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) || (65...70).contains($0) })
                else { throw StoreError(.query, "\(storeName): unexpected snapshot id '\(snapshot)' from the server") }
                let plan = MetricsScanPlan(lo: lo, hi: hi, parts: parts.map { min($0, poolSize) } ?? (poolSize > 1 ? nil : 1),
                                           splitRows: Self.metricsSplitRows)
                var scans = try await withThrowingTaskGroup(of: (Int, MetricsScan).self) { group in
                    for k in plan.ranges.indices {
                        let range = plan.ranges[k], tableRows = plan.tableRows(part: k)
                        group.addTask {
                            (k, try await self.readMetrics(range, snapshot: snapshot, tableRows: tableRows, storeName: storeName))
                        }
                    }
                    var out = [MetricsScan?](repeating: nil, count: plan.ranges.count)
                    for try await (k, part) in group { out[k] = part }
                    return out
                }
                return (MetricsScanPlan.join(&scans), hi, recentSeqs)
            }
        }
    }

    /// Reads the rows of one seq range into a fresh scan, on a ``PostgresRawConnection`` of its own, in a transaction
    /// on `snapshot`: one simple query (the transaction, then `COPY` of ``metricsSQL(_:)`` in binary) whose rows are
    /// read as they arrive.
    func readMetrics(_ range: ClosedRange<Int64>, snapshot: String, tableRows: Int?, storeName: String) async throws -> MetricsScan {
        let raw = try await PostgresRawConnection.open(location, logger: logger)
        return try await withTaskCancellationHandler {
            do {
                try await raw.send(simpleQuery: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '\(snapshot)'; "
                    + "COPY (\(Self.metricsSQL(range))) TO STDOUT (FORMAT binary)")
                var part = MetricsPart(PostgresCells(storeName: storeName), from: range.lowerBound, to: range.upperBound, tableRows: tableRows)
                var reply = MetricsCopyReply()
                var done = false
                while !done {
                    let chunks: [ByteBuffer]
                    do { chunks = try await raw.reply.next() } catch {
                        // The server's reason, when it gave one before closing (a terminated backend says so).
                        throw reply.serverError ?? error
                    }
                    for chunk in chunks where !done { done = try reply.read(chunk, into: &part) }
                }
                if let error = reply.serverError { throw error }
                await raw.close()
                return part.finish()
            } catch {
                await raw.close()
                throw error
            }
        } onCancel: {
            raw.channel.close(promise: nil)
        }
    }
}

/// The reply to a part's query, message by message: command completions, the `COPY`'s rows into the part, an error.
struct MetricsCopyReply {
    private var messages = BackendMessages()
    private var rows = BinaryCopyRows()
    private var copying = false
    /// The server's error, when it sent one.
    private(set) var serverError: PostgresServerError?

    /// Reads the messages in `chunk`; true once the reply has ended (`ReadyForQuery`).
    /// - Throws: ``PostgresProtocolError`` on a message out of place; the reader's ``StoreError`` on a damaged row.
    mutating func read(_ chunk: ByteBuffer, into part: inout MetricsPart<PostgresCells>) throws -> Bool {
        try messages.feed(chunk) { type, body in
            switch type {
            case UInt8(ascii: "d"):
                guard copying else { throw PostgresProtocolError("COPY data outside a COPY") }
                try rows.feed(body) { bytes in
                    guard let length = try part.reader.cells.load(row: bytes) else { return nil }
                    try part.read()
                    return length
                }
            case UInt8(ascii: "H"):
                // CopyOutResponse: the overall format (1: binary), then the column count and formats.
                guard body.count >= 3, body[0] == 1,
                      Int(Int16(bigEndian: body.loadUnaligned(fromByteOffset: 1, as: Int16.self))) == MetricsScanColumns.names.count
                else { throw PostgresProtocolError("a COPY of another shape than the metrics statement") }
                copying = true
            case UInt8(ascii: "c"):
                guard copying, rows.ended else { throw PostgresProtocolError("a COPY that ended before its end marker") }
                copying = false
            case UInt8(ascii: "E"): serverError = PostgresServerError(body)
            case UInt8(ascii: "Z"): return true
            // Command completions, notices, parameter changes, notifications.
            case UInt8(ascii: "C"), UInt8(ascii: "N"), UInt8(ascii: "S"), UInt8(ascii: "A"): break
            default: throw PostgresProtocolError("a message of type '\(Character(Unicode.Scalar(type)))'")
            }
            return false
        }
    }
}

/// The current row of the PostgreSQL metrics statement, split into its fields by offset.
///
/// A row is its field count, then per field its length as a big-endian int32 (-1 for NULL) and its bytes, back to
/// back — in a binary `COPY` (the scan, ``load(row:)``, every length checked here) as in a `DataRow` message (the
/// live tail's reads through the driver, ``load(_:checkTypes:)``). Through the driver, only the first cell is taken —
/// `seq`, never NULL — as its cells (one object per column) cost more than the rest of the read, and the other fields
/// are found by walking the message, whose lengths the driver checked. Pointers point into the row's bytes, which
/// stay valid, and unchanged, until the next row is loaded: as long as the reader uses them.
struct PostgresCells: MetricsCells {
    let storeName: String
    private var row: ByteBuffer?
    private var base = UnsafePointer<UInt8>(PostgresCells.empty)
    /// Per field: offset from ``base`` (-1 for NULL) and length.
    private let fields = FieldTable(count: MetricsScanColumns.names.count)
    /// The address of every empty text (never written).
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)

    init(storeName: String) {
        self.storeName = storeName
    }

    /// The types of the fields, by position.
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
        try check(row.map { ($0.columnName, $0.dataType, $0.format == .binary) }, storeName: storeName)
    }

    /// Checks the table's columns against the statement's, by name, from the catalog (`pg_attribute`): a binary
    /// `COPY` names no types.
    static func checkTable(_ reader: PostgresReader, storeName: String) async throws {
        var types: [String: PostgresDataType] = [:]
        for row in try await reader.rows(unsafeSQL: "SELECT attname::text, atttypid::int8 FROM pg_attribute "
                                         + "WHERE attrelid = 'interactions'::regclass AND attnum > 0 AND NOT attisdropped") {
            let (name, type) = try row.decode((String, Int64).self)
            types[name] = PostgresDataType(UInt32(truncatingIfNeeded: type))
        }
        try check(MetricsScanColumns.names.map { ($0, types[$0] ?? .null, true) }, storeName: storeName)
    }

    /// Checks the statement's columns: name, type and whether in binary, by position.
    private static func check(_ columns: [(name: String, type: PostgresDataType, binary: Bool)], storeName: String) throws {
        guard columns.count == expectedTypes.count else {
            throw StoreError(.corrupt, "\(storeName): the metrics statement returned \(columns.count) columns, expected \(expectedTypes.count)")
        }
        for (k, c) in columns.enumerated() where !c.binary || c.type != expectedTypes[k] {
            throw StoreError(.corrupt, "\(storeName): column \(c.name) of interactions has type \(c.type) "
                + "(\(c.binary ? "binary" : "text")), expected \(expectedTypes[k]); the table was changed by another program")
        }
    }

    /// Splits the row at the start of `bytes` — its field count, then per field its length (-1 for NULL) and bytes,
    /// as in a `DataRow` message or a binary `COPY` — into fields; the row's length, or nil when `bytes` ends before it.
    /// The bytes must stay valid, and unchanged, while the reader uses this row.
    mutating func load(row bytes: UnsafeRawBufferPointer) throws -> Int? {
        guard bytes.count >= 2, let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = Int(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
        guard count == fields.count else {
            throw StoreError(.corrupt, "\(storeName): a row of the metrics statement has \(count) fields, expected \(fields.count)")
        }
        var at = 2
        for k in 0..<count {
            guard bytes.count - at >= 4 else { return nil }
            let length = Int(Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            at += 4
            if length < 0 {
                fields.offsets[k] = -1
            } else {
                guard length <= bytes.count - at else { return nil }
                fields.offsets[k] = Int32(at)
                fields.lengths[k] = Int32(length)
                at += length
            }
        }
        guard fields.offsets[0] >= 0, fields.lengths[0] == 8 else { throw malformed() }
        row = nil
        base = UnsafePointer(start)
        return at
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
