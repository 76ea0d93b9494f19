import Foundation

/// Reads a JSON array (`[{…}, {…}, …]`) one element at a time, from a file in chunks or from bytes
/// in memory: memory holds one element, never the whole array, whatever the file's size.
///
/// Elements are found by their structure (strings, nesting, the commas between them), then each is
/// parsed on its own, so a broken element is reported alone and the next ones are still read. An
/// element longer than `maxElementBytes` is read past without being held (``Item/tooLarge(index:length:head:)``).
/// A UTF-8 byte-order mark before the array is skipped.
///
/// ```swift
/// var reader = try JSONArrayReader(url: dayFile, maxElementBytes: 16 << 20)
/// while let item = try reader.next() { … }   // throws a Problem for a file that is no array or ends early
/// ```
public struct JSONArrayReader {
    /// One element of the array.
    public enum Item {
        /// The element at `index` (0-based).
        case element(JSONValue, index: Int)
        /// The element at `index` is not valid JSON; `raw` is its text (its first 4 KiB).
        case invalid(JSONParseError, index: Int, raw: Data)
        /// The element at `index` is `length` bytes, more than the limit; `head` is its first 4 KiB.
        case tooLarge(index: Int, length: Int, head: Data)
    }

    /// Why the reading stopped before the end of the array (the elements before it were delivered).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable { case empty, notAnArray, truncated, trailingData }
        public var kind: Kind
        /// Elements delivered before the problem.
        public var elements: Int
        /// Byte offset of the problem.
        public var offset: Int
        public var description: String {
            switch kind {
            case .empty: "the file is empty"
            case .notAnArray: "expected a JSON array, found something else at byte \(offset)"
            case .truncated: "the file ends inside the array after \(elements) complete element(s) (byte \(offset)): it is truncated"
            case .trailingData: "unexpected data after the array at byte \(offset)"
            }
        }
    }

    private enum Phase { case start, element, after, done }

    /// Bytes kept of an element reported as invalid or too large.
    public static let headBytes = 4096

    public let maxElementBytes: Int
    private let handle: FileHandle?
    private var chunk: [UInt8]
    private var pos = 0
    private var end = 0
    /// File offset of `chunk[0]`.
    private var chunkOffset = 0
    private var exhausted = false
    private var phase = Phase.start
    private var index = 0
    // The element being read: its bytes before `chunk[elementStart]` (at most maxElementBytes), its length so far.
    private var pending: [UInt8] = []
    private var pendingLength = 0
    private var elementStart = 0
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// Bytes of the input consumed so far.
    public var bytesRead: Int { chunkOffset + pos }

    /// Reads the array in the file at `url`, `chunkSize` bytes at a time.
    /// - Throws: ``ConnectorError`` `.io` when the file cannot be opened.
    public init(url: URL, maxElementBytes: Int, chunkSize: Int = 1 << 20) throws {
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw ConnectorError(.io, "cannot open \(url.path): \((error as NSError).localizedDescription)")
        }
        self.maxElementBytes = max(1, maxElementBytes)
        chunk = [UInt8](repeating: 0, count: max(16, chunkSize))
    }

    /// Reads the array in `data`.
    public init(data: Data, maxElementBytes: Int) {
        handle = nil
        self.maxElementBytes = max(1, maxElementBytes)
        chunk = [UInt8](data)
        end = chunk.count
        exhausted = true
    }

    /// The next element; nil after the closing `]` (and nothing but spaces after it).
    /// - Throws: ``Problem`` when the input is empty, not an array, ends inside it or has data after it;
    ///   ``ConnectorError`` `.io` when the file cannot be read.
    public mutating func next() throws -> Item? {
        while true {
            if pos == end, try !refill() {
                defer { phase = .done }
                switch phase {
                case .start: throw Problem(kind: .empty, elements: 0, offset: bytesRead)
                case .element: throw Problem(kind: .truncated, elements: index, offset: bytesRead)
                case .after, .done: return nil
                }
            }
            switch phase {
            case .start:
                if chunkOffset == 0, pos == 0 {
                    // A byte-order mark needs its 3 bytes in the first chunk (chunks are at least 16 bytes).
                    pos = chunk.withUnsafeBufferPointer { ByteOrderMark.length(UnsafeBufferPointer(rebasing: $0[0..<end])) }
                }
                skipSpaces()
                guard pos < end else { continue }
                guard chunk[pos] == UInt8(ascii: "[") else {
                    phase = .done
                    throw Problem(kind: .notAnArray, elements: 0, offset: bytesRead)
                }
                pos += 1
                beginElement()
                phase = .element
            case .element:
                guard let terminator = scanElement() else { continue }
                pos += 1    // past the `,` or `]`
                let closing = terminator == UInt8(ascii: "]")
                let item = finishElement(closing: closing)
                if closing { phase = .after } else { beginElement() }
                if let item { return item }
            case .after:
                skipSpaces()
                if pos < end {
                    phase = .done
                    throw Problem(kind: .trailingData, elements: index, offset: bytesRead)
                }
            case .done:
                return nil
            }
        }
    }

    private mutating func beginElement() {
        elementStart = pos
        pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
        pendingLength = 0
        depth = 0
        inString = false
        escaped = false
    }

    /// Advances to the `,` or `]` ending the element (returned, `pos` on it), or to the end of the chunk (nil).
    /// String contents, most of a message, are skipped with `memchr`: to the next quote, unless a backslash
    /// comes first (its escaped character is then stepped over).
    private mutating func scanElement() -> UInt8? {
        var i = pos
        let n = end
        var depth = self.depth, inString = self.inString, escaped = self.escaped
        let found: UInt8? = chunk.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return nil }
            func index(of byte: UInt8, from start: Int, to stop: Int) -> Int? {
                guard start < stop, let p = memchr(base + start, Int32(byte), stop - start) else { return nil }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            while i < n {
                if inString {
                    if escaped { escaped = false; i += 1; continue }
                    let quote = index(of: 0x22, from: i, to: n) ?? n
                    if let backslash = index(of: 0x5C, from: i, to: quote) {
                        escaped = true
                        i = backslash + 1
                    } else {
                        inString = quote == n
                        i = quote == n ? n : quote + 1
                    }
                    continue
                }
                let c = b[i]
                switch c {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1                                  // { [
                case 0x7D: depth = max(0, depth - 1)                         // }
                case 0x5D: if depth == 0 { return c }; depth -= 1            // ]
                case 0x2C: if depth == 0 { return c }                        // ,
                default: break
                }
                i += 1
            }
            return nil
        }
        pos = i
        self.depth = depth
        self.inString = inString
        self.escaped = escaped
        return found
    }

    /// The element ending just before `pos - 1` (its `,` or `]`); nil for the nothing inside `[]`.
    private mutating func finishElement(closing: Bool) -> Item? {
        let stop = pos - 1
        let length = pendingLength + (stop - elementStart)
        let number = index
        if length > maxElementBytes {
            index += 1
            var head = Data(pending.prefix(Self.headBytes))
            head.append(contentsOf: chunk[elementStart..<min(stop, elementStart + Self.headBytes - head.count)])
            return .tooLarge(index: number, length: length, head: head)
        }
        if !pending.isEmpty { pending.append(contentsOf: chunk[elementStart..<stop]) }
        let source = pending.isEmpty ? chunk : pending
        let range = pending.isEmpty ? elementStart..<stop : 0..<pending.count
        if closing, number == 0, source[range].allSatisfy(Self.isSpace) { return nil }
        index += 1
        return source.withUnsafeBufferPointer { b in
            let bytes = UnsafeBufferPointer(rebasing: b[range])
            do { return .element(try JSONParser.parse(bytes), index: number) } catch let e as JSONParseError {
                return .invalid(e, index: number, raw: Data(bytes.prefix(Self.headBytes)))
            } catch {
                return .invalid(JSONParseError(offset: 0, message: "\(error)"), index: number,
                                raw: Data(bytes.prefix(Self.headBytes)))
            }
        }
    }

    private mutating func skipSpaces() {
        while pos < end, Self.isSpace(chunk[pos]) { pos += 1 }
    }

    @inline(__always)
    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Reads the next chunk, first keeping the unread part of the element being read (up to the limit).
    /// False at the end of the input.
    private mutating func refill() throws -> Bool {
        guard !exhausted, let handle else { return false }
        if phase == .element {
            let rest = chunk[elementStart..<end]
            let room = maxElementBytes - pending.count
            if room > 0 { pending.append(contentsOf: rest.prefix(room)) }
            pendingLength += rest.count
        }
        chunkOffset += end
        pos = 0
        end = 0
        elementStart = 0
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { read(handle.fileDescriptor, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ConnectorError(.io, "cannot read a JSON file: \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                exhausted = true
                try? handle.close()
                return false
            }
            end = got
            return true
        }
    }
}
