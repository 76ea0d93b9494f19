import Foundation
import Yams

/// Reads YAML nodes into typed values, collecting every problem with its
/// line, column and key path instead of stopping at the first.
final class NodeReader {
    let file: String
    var problems: [ConfigProblem] = []

    init(file: String) { self.file = file }

    func problem(_ node: Node?, _ path: String, _ message: String) {
        problems.append(ConfigProblem(file: file, line: node?.mark?.line, column: node?.mark?.column,
                                      keyPath: path, message: message))
    }

    /// A mapping's members by key; unknown keys are reported with a suggestion.
    func mapping(_ node: Node, _ path: String, known: [String]?) -> [(key: String, node: Node, keyNode: Node)]? {
        guard let map = node.mapping else {
            problem(node, path, "expected a mapping (key: value pairs)")
            return nil
        }
        var out: [(String, Node, Node)] = []
        for (k, v) in map {
            guard let key = k.string else {
                problem(k, path, "keys must be strings")
                continue
            }
            if let known, !known.contains(key) {
                problem(k, join(path, key), "unknown key\(Suggestion.hint(for: key, in: known)); known keys: \(known.joined(separator: ", "))")
                continue
            }
            out.append((key, v, k))
        }
        return out
    }

    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let s) = node else {
            problem(node, path, "expected a string")
            return nil
        }
        return s.string
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard let b = node.bool else {
            problem(node, path, "expected true or false")
            return nil
        }
        return b
    }

    func fraction(_ node: Node, _ path: String) -> Double? {
        guard let text = string(node, path) else { return nil }
        var t = text.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if t.hasSuffix("%") { t.removeLast(); scale = 100 }
        guard let v = Double(t), v / scale >= 0, v / scale <= 1 else {
            problem(node, path, "expected a fraction between 0 and 1 (0.9) or a percentage (90%), got '\(text)'")
            return nil
        }
        return v / scale
    }

    func duration(_ node: Node, _ path: String) -> Double? {
        guard let text = string(node, path) else { return nil }
        guard let s = ConfigValues.seconds(text) else {
            problem(node, path, "expected a duration such as 30s, 5m, 72h or 7d, got '\(text)'")
            return nil
        }
        return s
    }

    func size(_ node: Node, _ path: String) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let b = ConfigValues.bytes(text) else {
            problem(node, path, "expected a size such as 1MiB or 512KiB, got '\(text)'")
            return nil
        }
        return b
    }

    func timeZone(_ node: Node, _ path: String) -> TimeZone? {
        guard let text = string(node, path) else { return nil }
        guard let tz = TimeZone(identifier: text) else {
            problem(node, path, "unknown time zone '\(text)': use an IANA name such as Europe/Moscow or UTC")
            return nil
        }
        return tz
    }

    func stringList(_ node: Node, _ path: String) -> [String]? {
        if case .scalar(let s) = node { return [s.string] }
        guard let seq = node.sequence else {
            problem(node, path, "expected a list of strings")
            return nil
        }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            if let s = string(item, "\(path)[\(i)]") { out.append(s) }
        }
        return out
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension NodeReader {
    /// Replaces `${NAME}` in every scalar by the environment variable; `$${` stays a literal `${`.
    func interpolate(_ node: Node, _ path: String, env: [String: String]) -> Node {
        switch node {
        case .scalar(let s):
            guard s.string.contains("${") else { return node }
            var out = ""
            var rest = Substring(s.string)
            while let range = rest.range(of: "${") {
                if range.lowerBound > rest.startIndex, rest[rest.index(before: range.lowerBound)] == "$" {
                    out += rest[..<rest.index(before: range.lowerBound)] + "${"
                    rest = rest[range.upperBound...]
                    continue
                }
                out += rest[..<range.lowerBound]
                guard let close = rest[range.upperBound...].firstIndex(of: "}") else {
                    problem(node, path, "unterminated ${…} reference")
                    return node
                }
                let name = String(rest[range.upperBound..<close])
                if let value = env[name] {
                    out += value
                } else {
                    problem(node, path, "environment variable \(name) is not set")
                }
                rest = rest[rest.index(after: close)...]
            }
            out += rest
            return .scalar(Node.Scalar(out, s.tag, s.style, s.mark))
        case .mapping(let m):
            let pairs = m.map { (k, v) in (k, interpolate(v, join(path, k.string ?? "?"), env: env)) }
            return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
        case .sequence(let seq):
            let items = seq.enumerated().map { interpolate($1, "\(path)[\($0)]", env: env) }
            return .sequence(Node.Sequence(items, seq.tag, seq.style, seq.mark))
        case .alias:
            return node
        }
    }

    /// The node reached by a decoding error's coding path, for its line number.
    func node(at codingPath: [any CodingKey], in root: Node) -> Node {
        var current = root
        for key in codingPath {
            if let index = key.intValue, let seq = current.sequence, index < seq.count {
                current = seq[index]
            } else if let next = current.mapping?[key.stringValue] {
                current = next
            } else {
                break
            }
        }
        return current
    }

    /// Turns a settings decoding error into a problem at the right line.
    func report(_ error: any Error, in root: Node, path: String) {
        switch error {
        case DecodingError.typeMismatch(let type, let ctx):
            problem(node(at: ctx.codingPath, in: root), keyPath(path, ctx.codingPath), "expected \(describe(type))")
        case DecodingError.valueNotFound(let type, let ctx):
            problem(node(at: ctx.codingPath, in: root), keyPath(path, ctx.codingPath), "missing value, expected \(describe(type))")
        case DecodingError.keyNotFound(let key, let ctx):
            problem(node(at: ctx.codingPath, in: root), keyPath(path, ctx.codingPath + [key]), "required setting is missing")
        case DecodingError.dataCorrupted(let ctx):
            problem(node(at: ctx.codingPath, in: root), keyPath(path, ctx.codingPath), ctx.debugDescription)
        default:
            problem(root, path, "\(error)")
        }
    }

    private func keyPath(_ base: String, _ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(base) { p, k in k.intValue.map { "\(p)[\($0)]" } ?? join(p, k.stringValue) }
    }

    private func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return name
        }
    }
}
