import Foundation
import Yams

/// Refuses YAML anchors (`&name`) and aliases (`*name`) in a config, before the YAML is composed.
///
/// Nested aliases expand exponentially ("billion laughs": ten lines that stand for a billion
/// values), and they are expanded before any budget could count them: the config reader walks the
/// composed tree, and the YAML library itself hashes every mapping key over its whole expanded value
/// (an alias used as a key is enough to spend minutes). A config gains little from them —
/// merge keys (`<<: *defaults`) are not supported, so an alias could only repeat a value — and
/// a value written out reads the same on every line. So anchors and aliases are a config error
/// naming their line, found by a scan of the text that knows where a YAML node may start: not
/// inside quotes, comments, block scalars (`|`, `>`) or plain scalars (`R&D`, `a*b`). After
/// composing, ``firstAnchor(in:)`` checks the tree as well, stopping at the first anchor.
enum YAMLAliasGuard {
    struct Found: Equatable {
        var line: Int
        var column: Int
        var text: String
    }

    /// The first anchor or alias of `text`, or nil when it has none.
    static func scan(_ text: String) -> Found? {
        var scanner = NodeStartScanner(bytes: Array(text.utf8))
        return scanner.run()
    }

    /// The first node of `root`, in document order, defined with an anchor (its aliases carry it too).
    static func firstAnchor(in root: Node) -> Node? {
        if root.anchor != nil { return root }
        switch root {
        case .mapping(let m):
            for (k, v) in m {
                if let found = firstAnchor(in: k) ?? firstAnchor(in: v) { return found }
            }
        case .sequence(let s):
            for item in s { if let found = firstAnchor(in: item) { return found } }
        default:
            break
        }
        return nil
    }

    /// The message of the config problem.
    static let message = "YAML anchors and aliases (&name, *name) are not allowed in the config: write the value out in full where it is used"

    /// Walks the text byte by byte, knowing where a node may start (where `&` and `*` are indicators).
    private struct NodeStartScanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0
        var flow = 0
        /// The next character that is not white space starts a node (where `&` and `*` are indicators).
        var nodeStart = true
        /// The last token was a quoted scalar (after which `:` ends a key even without a space).
        var afterQuoted = false
        /// Inside a block-context plain scalar whose lines are indented deeper than `plainIndent`.
        var plainIndent: Int?
        /// Inside a flow-context plain scalar.
        var flowPlain = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() -> Found? {
            beginLine()
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x0A { newLine(); continue }
                if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
                if c == 0x23, i == lineStart || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 {   // # comment
                    skipToLineEnd()
                    continue
                }
                let quotedBefore = afterQuoted
                afterQuoted = false
                if c == 0x3A, endsKey(quotedBefore) {                               // ": " — a value follows
                    plainIndent = nil
                    flowPlain = false
                    nodeStart = true
                    i += 1
                    continue
                }
                if plainIndent != nil || (flowPlain && !Self.isFlowIndicator(c)) {  // inside a plain scalar
                    i += 1
                    continue
                }
                flowPlain = false
                if nodeStart, c == 0x26 || c == 0x2A, i + 1 < bytes.count, !Self.isBreakOrSpace(bytes[i + 1]),
                   !Self.isFlowIndicator(bytes[i + 1]) {
                    return Found(line: line, column: i - lineStart + 1, text: word())
                }
                if nodeStart, flow == 0, c == 0x7C || c == 0x3E {                    // | > block scalar
                    blockScalar()
                } else if nodeStart, c == 0x2D || c == 0x3F, followedBySpace() {     // "- " and "? "
                    i += 1
                } else {
                    switch c {
                    case 0x21: _ = word()                                            // !tag: a node still follows
                    case 0x22, 0x27: quoted(c); nodeStart = false; afterQuoted = true
                    case 0x5B, 0x7B: flow += 1; nodeStart = true; i += 1             // [ {
                    case 0x5D, 0x7D: flow = max(0, flow - 1); nodeStart = false; i += 1
                    case 0x2C: nodeStart = flow > 0; i += 1                          // ,
                    default:
                        if nodeStart {
                            if flow == 0 { plainIndent = nestedIndent() } else { flowPlain = true }
                        }
                        nodeStart = false
                        i += 1
                    }
                }
            }
            return nil
        }

        /// Whether the `:` at `i` is a mapping value indicator rather than part of a plain scalar.
        func endsKey(_ quotedBefore: Bool) -> Bool {
            if followedBySpace() { return true }
            return flow > 0 && (quotedBefore || Self.isFlowIndicator(bytes[i + 1]))
        }

        mutating func newLine() {
            i += 1
            line += 1
            lineStart = i
            beginLine()
        }

        /// At the start of a line: a block plain scalar goes on while lines are indented deeper than its
        /// parent node; otherwise a block-context line begins a node (a key or an entry).
        mutating func beginLine() {
            if let start = plainIndent {
                if isBlankLine() || indent() > start { return }
                plainIndent = nil
            }
            guard flow == 0 else { return }
            nodeStart = true
            if matches("---") || matches("...") { i += 3 }
            else if i < bytes.count, bytes[i] == 0x25 { skipToLineEnd() }            // %YAML directive
        }

        /// Skips a quoted scalar (which may span lines); `''` and `\"` do not end it.
        mutating func quoted(_ quote: UInt8) {
            i += 1
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x0A { line += 1; lineStart = i + 1 }
                if quote == 0x22, c == 0x5C { i += 2; continue }
                if c == quote {
                    if quote == 0x27, i + 1 < bytes.count, bytes[i + 1] == 0x27 { i += 2; continue }
                    i += 1
                    return
                }
                i += 1
            }
        }

        /// Skips a block scalar: its header, then every line indented deeper than its parent node.
        mutating func blockScalar() {
            let parent = nestedIndent()
            skipToLineEnd()
            while i < bytes.count {
                i += 1                                   // the line break
                line += 1
                lineStart = i
                if isBlankLine() || indent() > parent { skipToLineEnd() } else { break }
            }
            beginLine()
        }

        mutating func skipToLineEnd() {
            while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        }

        /// The characters up to white space or a flow indicator, from `i` (which moves past them).
        mutating func word() -> String {
            let start = i
            while i < bytes.count, !Self.isBreakOrSpace(bytes[i]), !Self.isFlowIndicator(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        /// The line's indentation.
        func indent() -> Int {
            var j = lineStart
            while j < bytes.count, bytes[j] == 0x20 { j += 1 }
            return j - lineStart
        }

        /// The column where the line's content starts after its indentation and `- ` entry indicators
        /// (the indentation of a mapping written on a sequence entry's line).
        func contentIndent() -> Int {
            var j = lineStart
            while j < bytes.count {
                if bytes[j] == 0x20 { j += 1 }
                else if bytes[j] == 0x2D, j + 1 < bytes.count, bytes[j + 1] == 0x20 { j += 2 }
                else { break }
            }
            return j - lineStart
        }

        /// The indentation a scalar starting at `i` must stay deeper than: its line's content indentation
        /// when it follows a key (`key: value`), one less when it starts the line's content (`- value`).
        func nestedIndent() -> Int {
            let content = contentIndent()
            return i == lineStart + content ? content - 1 : content
        }

        func isBlankLine() -> Bool {
            var j = lineStart
            while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0D { j += 1 }
            return j >= bytes.count || bytes[j] == 0x0A || bytes[j] == 0x23
        }

        func followedBySpace() -> Bool {
            i + 1 >= bytes.count || Self.isBreakOrSpace(bytes[i + 1])
        }

        func matches(_ marker: String) -> Bool {
            let m = Array(marker.utf8)
            guard i == lineStart, i + m.count <= bytes.count, Array(bytes[i..<i + m.count]) == m else { return false }
            return i + m.count == bytes.count || Self.isBreakOrSpace(bytes[i + m.count])
        }

        static func isBreakOrSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        static func isFlowIndicator(_ c: UInt8) -> Bool { c == 0x2C || c == 0x5B || c == 0x5D || c == 0x7B || c == 0x7D }
    }
}
