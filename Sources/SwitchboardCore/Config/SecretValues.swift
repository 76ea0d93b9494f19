import Foundation
import Yams

extension SwitchboardConfig {
    /// Values of the settings that hold secrets (keys containing `password`, `secret`, `token`
    /// or `key`, except endpoints ending in `_url` such as `token_url`; `server.report_token`; and the
    /// password of the store URL and of any URL setting, as written and decoded), after `${ENV}`
    /// interpolation, so logs and status output can hide them.
    public var secretValues: [String] {
        var out: [String] = []
        if let token = server.reportToken { out.append(token) }
        if case .postgres(let url) = store { out += Redaction.passwordForms(in: url) }
        for entry in connectors { Self.collectSecrets(entry.settings, key: "", into: &out) }
        for entry in notifications { Self.collectSecrets(entry.settings, key: "", into: &out) }
        return out.filter { !$0.isEmpty }
    }

    private static func collectSecrets(_ node: Node, key: String, into out: inout [String]) {
        switch node {
        case .scalar(let s):
            let k = key.lowercased()
            // An endpoint (`token_url`) is no secret itself; a password inside it is hidden below.
            if ["password", "secret", "token", "key"].contains(where: { k.contains($0) }) && !k.hasSuffix("_url") {
                out.append(s.string)
            }
            if s.string.contains("://") { out += Redaction.passwordForms(in: s.string) }
        case .mapping(let map):
            for (k, v) in map { collectSecrets(v, key: k.string ?? "", into: &out) }
        case .sequence(let seq):
            for v in seq { collectSecrets(v, key: key, into: &out) }
        default:
            break
        }
    }
}
