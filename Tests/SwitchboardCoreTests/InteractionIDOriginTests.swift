import Foundation
import SwitchboardCore
import Testing

/// ``Interaction/idIsKnownComputed``: set only when the initializer computed the id, cleared by any
/// change of id, source or externalId, and invisible to equality, hashing and coding.
@Suite struct InteractionIDOriginTests {
    func make(id: String? = nil) -> Interaction {
        Interaction(id: id, source: "wa", externalId: "chat|1|Anna|00|0", channel: .chat, platform: "whatsapp",
                    conversationKey: "chat#1", kind: .message, direction: .inbound, actorRole: .customer,
                    occurredAt: Date(timeIntervalSince1970: 1_700_000_000), text: "hi", provenance: "f#L1")
    }

    @Test func onlyTheInitializersOwnIdIsKnown() {
        #expect(make().idIsKnownComputed)
        #expect(!make(id: "given").idIsKnownComputed)
        // Given explicitly, even when equal to the hash: not known without checking.
        #expect(!make(id: InteractionID.make(source: "wa", externalId: "chat|1|Anna|00|0")).idIsKnownComputed)
        var i = make()
        i.text = "other"
        #expect(i.idIsKnownComputed)
        for change in [{ (x: inout Interaction) in x.id = "x" }, { $0.source = "other" }, { $0.externalId = "other" }] {
            var j = make()
            change(&j)
            #expect(!j.idIsKnownComputed)
        }
    }

    @Test func decodingKnowsTheIdOnlyWhenItComputesIt() throws {
        let encoded = try JSONEncoder().encode(make())
        let withId = try JSONDecoder().decode(Interaction.self, from: encoded)
        #expect(!withId.idIsKnownComputed)
        #expect(withId == make())
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(object.keys.contains("id") && !object.keys.contains("idOrigin"))
        object["id"] = nil
        let withoutId = try JSONDecoder().decode(Interaction.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(withoutId.idIsKnownComputed)
        #expect(withoutId.id == make().id)
    }

    @Test func equalityAndHashingIgnoreTheOrigin() {
        let computed = make()
        let given = make(id: computed.id)
        #expect(computed == given)
        #expect(Set([computed, given]).count == 1)
        #expect(computed.hashValue == given.hashValue)
    }
}
