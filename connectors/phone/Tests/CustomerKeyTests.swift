import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// Callers' customer keys: E.164 only when the number says its country, `tel-local:` digits otherwise,
/// `sip:` for SIP accounts, so a repeat caller is one customer with or without `phone.default_country`.
@Suite("phone customer keys")
struct CustomerKeyTests {
    /// `repeat_callers.csv` imported with this default country, the calls by conversationKey.
    func calls(country: String?) async throws -> [String: Interaction] {
        let context = PhoneTestSupport.context(timeZone: "UTC", country: country)
        let harness = ConnectorHarness(context: context)
        let settings = try ConnectorHarness.settings(for: AsteriskCDRConnector.self, yaml: "")
        let connector = try AsteriskCDRConnector(name: "pbx", settings: settings, context: context)
        let summary = try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture("repeat_callers.csv")])
        #expect(summary.deadLetters == 0)
        let stored = await harness.stored()
        #expect(ConnectorCompliance.problems(in: stored, source: "pbx").isEmpty)
        return Dictionary(uniqueKeysWithValues: stored.map { ($0.conversationKey, $0) })
    }

    @Test("without a default country a national number keeps its digits and is not E.164")
    func nationalNumberWithoutCountry() async throws {
        let calls = try await calls(country: nil)
        #expect(calls.count == 10)
        let first = try #require(calls["pbx-1772442000.1"]), again = try #require(calls["pbx-1772535600.3"])
        #expect(first.customerKey == "tel-local:91342657" && first.actorId == "tel-local:91342657")
        #expect(again.customerKey == first.customerKey)   // the repeat caller is one customer
        #expect(calls["pbx-1772470800.15"]?.customerKey == "tel-local:89161234567")
        // + and 00 say the country themselves.
        #expect(calls["pbx-1772463600.11"]?.customerKey == "+442079460958")
        #expect(calls["pbx-1772467200.13"]?.customerKey == "+79161234567")
    }

    @Test("a SIP account calling under its own name is sip:<name>; a trunk under an anonymous caller is nobody")
    func sipPeers() async throws {
        let calls = try await calls(country: nil)
        let first = try #require(calls["pbx-1772445600.5"]), again = try #require(calls["pbx-1772618400.9"])
        #expect(first.customerKey == "sip:client1" && first.actorName == "Client One")
        #expect(again.customerKey == "sip:client1")
        #expect(calls["pbx-1772452800.b"]?.customerKey == nil)   // anonymous on SIP/trunk-…
        #expect(calls["pbx-1772456400.d"]?.customerKey == nil)   // no caller id at all
        // An extension that is no agent's: a short number.
        #expect(calls["pbx-1772460000.f"]?.customerKey == "tel-local:305")
        #expect(calls["pbx-1772460000.f"]?.direction == .inbound)
    }

    @Test("with a default country national numbers become E.164 and the rest keep their digits")
    func withCountry() async throws {
        let calls = try await calls(country: "RU")
        #expect(calls["pbx-1772470800.15"]?.customerKey == "+79161234567")   // 8 trunk prefix removed
        #expect(calls["pbx-1772467200.13"]?.customerKey == "+79161234567")   // the same person by 00
        #expect(calls["pbx-1772442000.1"]?.customerKey == "tel-local:91342657")   // 8 digits: no Russian number
        #expect(calls["pbx-1772445600.5"]?.customerKey == "sip:client1")
        #expect(calls["pbx-1772463600.11"]?.customerKey == "+442079460958")
    }

    @Test func builderKeys() {
        let builder = PhoneCallBuilder(source: "t", platform: "asterisk", agents: PhoneTestSupport.agents, defaultCountry: nil)
        #expect(builder.customerKey("client1", channel: "SIP/client1-0000001") == "sip:client1")
        #expect(builder.customerKey("client1", channel: "PJSIP/client1-00000a1f") == "sip:client1")
        #expect(builder.customerKey("client1", channel: "PJSIP/client2-00000a1f") == nil)
        #expect(builder.customerKey("client1", channel: "DAHDI/1-1") == nil)
        #expect(builder.customerKey("client1") == nil)
        #expect(builder.customerKey("", channel: "SIP/trunk-00000001") == nil)
        #expect(builder.customerKey("Anonymous", channel: "SIP/trunk-00000001") == nil)
        #expect(builder.customerKey("91342657", channel: "SIP/trunk-00000001") == "tel-local:91342657")
        // An agent calling back a national number reaches the same customer; a short number is no customer.
        func outbound(to callee: String) -> Interaction {
            builder.interaction(PhoneCall(key: "k", start: 0, end: 60, caller: "301", callee: callee, callerChannel: "SIP/301-01",
                                          outcome: .answered, provenance: "t"))
        }
        #expect(outbound(to: "91342657").direction == .outbound)
        #expect(outbound(to: "91342657").customerKey == "tel-local:91342657")
        #expect(outbound(to: "305").customerKey == nil)
    }
}
