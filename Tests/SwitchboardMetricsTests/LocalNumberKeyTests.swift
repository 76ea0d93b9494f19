import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// Numbers whose country is not known (`tel-local:`) and SIP accounts (`sip:`) are customers like any other key.
@Suite("customer keys without a country")
struct LocalNumberKeyTests {
    @Test("a repeat caller by national number or SIP account breaks first-contact resolution", arguments: [
        "tel-local:91342657", "sip:client1",
    ])
    func repeatCaller(key: String) async throws {
        var s = Scenario()
        s.call("first", "2026-03-02T10:00:00Z", .answered, wait: 5, talk: 60, agent: "anna", customer: key)
        s.call("again", "2026-03-04T10:00:00Z", .answered, wait: 5, talk: 60, agent: "anna", customer: key)
        s.call("other", "2026-03-02T12:00:00Z", .answered, wait: 5, talk: 60, agent: "anna", customer: "tel-local:91342658")
        let data = try await s.dataset()
        #expect(data.verdict("first") == .repeated(source: "pbx", key: "again", at: at("2026-03-04T10:00:00Z")))
        #expect(data.verdict("other") == .resolvedFirstContact)
    }

    @Test func linksReadBareNumbersAsTheConnectorsDo() {
        let links = CustomerLinks(rows: [["ann@example.com", "9134 2657", "sip:client1"]])
        #expect(links.customer("tel-local:91342657") == "ann@example.com")
        #expect(links.customer("sip:client1") == "ann@example.com")
        #expect(links.customer("+91342657") == "+91342657")   // not an Indian number in disguise
        let ru = CustomerLinks(rows: [["ann@example.com", "8 916 123-45-67", "91342657"]], defaultCountry: "RU")
        #expect(ru.customer("+79161234567") == "ann@example.com")
        #expect(ru.customer("tel-local:91342657") == "ann@example.com")
    }
}
