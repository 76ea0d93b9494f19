import Foundation
import Yams

/// Reads `notifications:` — named destinations, each a mapping with a `kind` and that kind's settings:
///
/// ```yaml
/// notifications:
///   lead: {kind: email, smtp: "smtps://smtp.example.com:465", username: reports@example.com,
///          password: "${SMTP_PASSWORD}", from: "Switchboard <reports@example.com>", to: [lead@example.com]}
/// ```
///
/// Only the shape is checked here; each kind checks its own settings when the destination is made
/// (``DestinationRegistry/make(_:file:)``, which `switchboard check` runs for every entry).
enum NotificationsReader {
    static func read(_ node: Node, _ r: NodeReader) -> [NotificationEntry] {
        guard let members = r.mapping(node, "notifications", known: nil) else { return [] }
        var out: [NotificationEntry] = []
        for (name, value, keyNode) in members {
            let path = "notifications.\(name)"
            if let problem = ReportsReader.nameProblem(name) { r.problem(keyNode, path, problem) }
            guard let map = value.mapping else {
                r.problem(value, path, "expected a mapping with a kind, such as {kind: email, smtp: \"smtps://smtp.example.com:465\", …}")
                continue
            }
            guard let kindNode = map["kind"], let kind = r.string(kindNode, "\(path).kind") else {
                r.problem(value, "\(path).kind", "every destination needs a kind, such as kind: email")
                continue
            }
            let pairs = map.filter { $0.key.string != "kind" }
            out.append(NotificationEntry(name: name, kind: kind, settings: .mapping(Node.Mapping(pairs, map.tag, map.style, map.mark)),
                                         line: keyNode.mark?.line))
        }
        return out
    }
}
