import Foundation
import SwitchboardCore
import SwitchboardNotify
import SwitchboardTesting
import Testing

/// Display names in `from:` and `to:` that are not ASCII, or hold a comma: the message's From and To headers
/// still name the addresses, as Python's email package (and so a mail reader) reads them.
@Suite(.serialized) struct EmailAddressHeaderTests {
    @Test func displayNamesAreEncodedButTheAddressesStayReadable() async throws {
        let smtp = try TestSMTP.start()
        defer { smtp.stop() }
        let lead = try EmailDestinationTests.destination("""
              lead: {kind: email, smtp: "\(smtp.url)", from: "Отчёты Switchboard <reports@example.com>",
                     to: ["Руководитель <lead@example.com>", "\\"Smith, Ann\\" <ann@example.com>", plain@example.com]}
            """)
        try await lead.deliver(NotificationMessage(subject: "weekly", text: "text"))
        let mail = try #require(try await smtp.waitForMessages(1).first)
        func pairs(_ key: String) -> [[String]] {
            mail["addresses"]?[key]?.array?.map { $0.array?.compactMap(\.string) ?? [] } ?? []
        }
        #expect(pairs("from") == [["Отчёты Switchboard", "reports@example.com"]], "\(mail)")
        #expect(pairs("to") == [["Руководитель", "lead@example.com"], ["Smith, Ann", "ann@example.com"], ["", "plain@example.com"]],
                "\(mail)")
        #expect(mail["envelope"]?["rcpt_tos"]?.array?.compactMap(\.string) == ["lead@example.com", "ann@example.com", "plain@example.com"])
    }
}
