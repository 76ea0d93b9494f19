import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// CSV files saved by Windows tools start with a UTF-8 byte-order mark: it is not part of the first field.
@Suite("phone files with a byte-order mark")
struct ByteOrderMarkTests {
    /// `fixture` as it is and with a byte-order mark in front, each alone in a fresh folder under the same name.
    func copies(_ fixture: String) throws -> (plain: URL, marked: URL) {
        let data = try Data(contentsOf: try PhoneTestSupport.fixture(fixture))
        let plain = try PhoneTestSupport.temporaryDirectory().appendingPathComponent(fixture)
        let marked = try PhoneTestSupport.temporaryDirectory().appendingPathComponent(fixture)
        try data.write(to: plain)
        try (Data([0xEF, 0xBB, 0xBF]) + data).write(to: marked)
        return (plain, marked)
    }

    func stored(_ connector: some FileImporter, _ url: URL) async throws -> ([Interaction], [String]) {
        let harness = ConnectorHarness(context: PhoneTestSupport.context(timeZone: "UTC"))
        try await harness.importFiles(connector, source: "pbx", [url])
        return (await harness.stored(), await harness.deadLetters().map(\.reason))
    }

    @Test("phone-csv: the header's first column is found behind the mark")
    func phoneCSV() async throws {
        let yaml = """
        date_format: rfc2822
        columns: {id: sid, parent: parent_call_sid, start: start_time, end: end_time, from: from, to: to,
                  outcome: status, direction: direction, wait: queue_time}
        outcome_map: {voicemail: voicemail}
        """
        let settings = try ConnectorHarness.settings(for: PhoneCSVConnector.self, yaml: yaml)
        let connector = try PhoneCSVConnector(name: "pbx", settings: settings, context: PhoneTestSupport.context(timeZone: "UTC"))
        let (plain, marked) = try copies("twilio_calls.csv")
        let a = try await stored(connector, plain), b = try await stored(connector, marked)
        #expect(a.0.count == 6)
        #expect(b.0 == a.0 && b.1 == a.1)
    }

    @Test("FreeSWITCH CSV: the first row's quoted caller name reads the same behind the mark")
    func freeswitch() async throws {
        let connector = try FreeSWITCHCDRConnector(name: "pbx", settings: .init(), context: PhoneTestSupport.context(timeZone: "UTC"))
        let (plain, marked) = try copies("freeswitch.csv")
        let a = try await stored(connector, plain), b = try await stored(connector, marked)
        #expect(a.0.contains { $0.actorName == "Ivan Petrov" })
        #expect(b.0 == a.0 && b.1 == a.1)
    }
}
