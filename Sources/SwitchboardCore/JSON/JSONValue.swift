import Foundation

/// A parsed JSON value. Objects keep their members in document order.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .number(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v):
            for (k, x) in v { hasher.combine(k); hasher.combine(x) }
        }
    }

    /// The member `key` of an object (the first one when repeated), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// The element at `index` of an array, else nil.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var number: Double? { if case .number(let n) = self { return n }; return nil }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var members: [(String, JSONValue)]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// A string, or a number written without a fraction as its integer text (ids are often either).
    public var stringOrNumber: String? {
        switch self {
        case .string(let s): return s
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e18 { return String(Int64(n)) }
            return String(n)
        default: return nil
        }
    }

    /// Follows an RFC 6901 JSON pointer (`/entry/0/id`); "" is the whole value.
    public func pointer(_ path: String) -> JSONValue? {
        if path.isEmpty { return self }
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        var current: JSONValue = self
        // Tokens are read in place (webhook mappings follow several per delivery); only one holding `~`
        // is unescaped into a new string, through Foundation.
        var rest = Substring(path).dropFirst()
        while true {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let raw = rest[rest.startIndex..<end]
            let next: JSONValue?
            switch current {
            case .object(let members):
                if raw.utf8.contains(UInt8(ascii: "~")) {
                    let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                    next = members.first { $0.0 == token }?.1
                } else {
                    next = members.first { $0.0 == raw }?.1
                }
            case .array:
                next = Int(raw).flatMap { current[$0] }
            default:
                return nil
            }
            guard let next else { return nil }
            current = next
            guard end < rest.endIndex else { return current }
            rest = rest[rest.utf8.index(after: end)...]
        }
    }
}
