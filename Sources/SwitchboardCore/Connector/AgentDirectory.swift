import Foundation

/// One member of the support side, as listed under `agents:` (DESIGN §9).
public struct Agent: Codable, Sendable, Hashable {
    public var id: String
    public var name: String?
    public var emails: [String]
    public var phones: [String]
    public var names: [String]
    /// Platform → user id or handle (`telegram: "123456789"`, `slack: U0ABC`).
    public var handles: [String: String]

    public init(id: String, name: String? = nil, emails: [String] = [], phones: [String] = [],
                names: [String] = [], handles: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.emails = emails
        self.phones = phones
        self.names = names
        self.handles = handles
    }
}

/// Looks agents up by any identity a connector sees: e-mail address, PBX
/// extension or channel, display name, or platform handle.
public struct AgentDirectory: Sendable {
    public let agents: [Agent]
    private let byEmail: [String: String]
    private let byPhone: [String: String]
    private let byName: [String: String]
    private let byHandle: [String: String]

    public init(_ agents: [Agent] = []) {
        self.agents = agents
        var email = [String: String](), phone = [String: String](), name = [String: String](), handle = [String: String]()
        for a in agents {
            for e in a.emails { email[e.lowercased()] = a.id }
            for p in a.phones {
                phone[p] = a.id
                phone[Self.extensionPart(of: p)] = phone[Self.extensionPart(of: p)] ?? a.id
            }
            for n in a.names + [a.name].compactMap({ $0 }) + [a.id] { name[Self.fold(n)] = name[Self.fold(n)] ?? a.id }
            for (platform, h) in a.handles { handle["\(platform.lowercased()):\(h)"] = a.id }
        }
        byEmail = email
        byPhone = phone
        byName = name
        byHandle = handle
    }

    /// The agent whose `emails` holds this address (case-insensitive).
    public func agent(email: String) -> String? { byEmail[email.lowercased()] }

    /// The agent for a PBX extension or channel: `301`, `SIP/301`, `SIP/301-0000002a`, `PJSIP/301-…`.
    public func agent(phone: String) -> String? {
        if let id = byPhone[phone] { return id }
        return byPhone[Self.extensionPart(of: phone)]
    }

    /// The agent with this display name (case- and space-insensitive), or with this id.
    public func agent(name: String) -> String? { byName[Self.fold(name)] }

    /// The agent with this platform handle (`handles: {telegram: "123"}`).
    public func agent(platform: String, handle: String) -> String? { byHandle["\(platform.lowercased()):\(handle)"] }

    /// The agent by id.
    public func agent(id: String) -> Agent? { agents.first { $0.id == id } }

    /// `SIP/301-0000002a` → `301`; `Local/301@from-queue-00000a;1` → `301`; `301` → `301`.
    public static func extensionPart(of channel: String) -> String {
        var s = Substring(channel)
        if let slash = s.lastIndex(of: "/") { s = s[s.index(after: slash)...] }
        if let at = s.firstIndex(of: "@") { s = s[..<at] }
        if let dash = s.lastIndex(of: "-"), dash != s.startIndex { s = s[..<dash] }
        return String(s)
    }

    static func fold(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
