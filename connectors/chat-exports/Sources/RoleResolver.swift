import Foundation
import SwitchboardCore

/// Decides who is the support side in a chat export.
///
/// In order: the global `agents:` (display names, phone numbers, platform
/// handles), the source's `agents` list, the exporting account (`You`), then
/// the customer: the source's `customer` setting, or the chat partner named by
/// the export itself (WhatsApp's "Chat with X" file name). When a customer is
/// known in a one-to-one chat, the other participant is the support side.
/// Everyone else is a customer.
struct RoleResolver: Sendable {
    var platform: String
    var directory: AgentDirectory
    private var agentNames: Set<String> = []
    private var agentPhones: Set<String> = []
    var customer: String?
    var defaultCountry: String?

    init(platform: String, directory: AgentDirectory, agents: [String], customer: String?, defaultCountry: String?) {
        self.platform = platform
        self.directory = directory
        self.customer = customer
        self.defaultCountry = defaultCountry
        for a in agents {
            agentNames.insert(Self.fold(a))
            if let p = Self.phone(a, defaultCountry: defaultCountry) { agentPhones.insert(p) }
        }
    }

    /// The exporting account as WhatsApp writes it in system lines and some exports.
    static let selfNames: Set<String> = ["you", "вы"]

    /// The agent id of an author, when the author is on the support side.
    func agentId(id: String?, name: String?) -> String? {
        if let id {
            if let a = directory.agent(platform: platform, handle: id) { return a }
            if agentNames.contains(Self.fold(id)) { return id }
        }
        if let name {
            if let a = directory.agent(name: name) { return a }
            if agentNames.contains(Self.fold(name)) { return name }
            if let phone = Self.phone(name, defaultCountry: defaultCountry) {
                if agentPhones.contains(phone) { return name }
                if let a = directory.agent(phone: phone) { return a }
                for a in directory.agents where a.phones.contains(where: {
                    Self.phone($0, defaultCountry: defaultCountry) == phone }) { return a.id }
            }
            if Self.selfNames.contains(Self.fold(name)) { return name }
        }
        return nil
    }

    /// Role and actor id of a human author.
    /// - Parameters:
    ///   - chatPartner: the other side named by the export itself, if any: the customer, unless it is an agent
    ///     (a customer's own export names the business).
    ///   - participants: distinct human authors of the chat (nil when unknown).
    func role(id: String?, name: String?, chatPartner: String?, participants: Int?) -> (ActorRole, String?) {
        if let agent = agentId(id: id, name: name) { return (.agent, agent) }
        let actor = id ?? name
        if let customer {
            let c = Self.fold(customer)
            let isCustomer = (id.map { Self.fold($0) == c } ?? false) || (name.map { Self.fold($0) == c } ?? false)
            return (isCustomer ? .customer : .agent, actor)
        }
        if let partner = chatPartner, let participants, participants == 2,
           agentId(id: nil, name: partner) == nil {
            let p = Self.fold(partner)
            let isPartner = (name.map { Self.fold($0) == p } ?? false) || (id.map { Self.fold($0) == p } ?? false)
            return (isPartner ? .customer : .agent, actor)
        }
        return (.customer, actor)
    }

    /// The customer key of a display name that is a phone number: E.164 (`+7 916 123-45-67`), or
    /// `tel-local:<digits>` for a national number whose country is not known; else nil.
    static func phone(_ name: String, defaultCountry: String?) -> String? {
        var digits = 0
        for u in name.unicodeScalars {
            switch u {
            case "0"..."9": digits += 1
            case "+", " ", "-", "(", ")", ".", "\u{00A0}", "\u{202F}", "\u{2011}": continue
            default: return nil
            }
        }
        guard digits >= 6 else { return nil }
        return PhoneNumber.customerKey(name, defaultCountry: defaultCountry)
    }

    static func fold(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
