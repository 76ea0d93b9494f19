import Foundation
import SwitchboardCore
import Testing
@testable import ChatExportConnectors

/// WhatsApp authors that are phone numbers get the phone connectors' customer keys.
@Suite("phone-number authors")
struct PhoneAuthorTests {
    @Test func numbersKeepTheirCountryOrTheirDigits() {
        #expect(RoleResolver.phone("+7 916 123-45-67", defaultCountry: nil) == "+79161234567")
        #expect(RoleResolver.phone("+7 916 123-45-67", defaultCountry: "KR") == "+79161234567")
        #expect(RoleResolver.phone("0044 20 7946 0958", defaultCountry: nil) == "+442079460958")
        #expect(RoleResolver.phone("8 916 123-45-67", defaultCountry: "RU") == "+79161234567")
        #expect(RoleResolver.phone("010-1234-5678", defaultCountry: "KR") == "+821012345678")
        // Without a default country a national number is not made some country's number.
        #expect(RoleResolver.phone("9134 2657", defaultCountry: nil) == "tel-local:91342657")
        #expect(RoleResolver.phone("Ivan Petrov", defaultCountry: nil) == nil)
    }

    @Test func anAgentWrittenAsANationalNumberIsRecognised() {
        let roles = RoleResolver(platform: "whatsapp", directory: AgentDirectory([]), agents: ["9134 2657"], customer: nil,
                                 defaultCountry: nil)
        #expect(roles.agentId(id: nil, name: "91342657") == "91342657")
        #expect(roles.agentId(id: nil, name: "91342658") == nil)
    }
}
