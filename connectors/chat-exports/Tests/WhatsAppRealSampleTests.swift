import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import ChatExportConnectors

/// Every WhatsApp file of ../shared/samples/real/whatsapp, read in UTC.
@Suite("whatsapp-export on the real samples")
struct WhatsAppRealSampleTests {
    func run(_ name: String, yaml: String = "") async throws -> ImportRun {
        try await ImportRun.run(WhatsAppImporter.self, [Samples.real("whatsapp/\(name)")], yaml: yaml)
    }

    @Test("the four 10-line variants hold 9 messages, 2 of them system lines, at the same instants",
          arguments: ["test_ddmmyy_24hrs.txt", "test_mmddyy_24hrs.txt", "test_mmddyyyy_12hrs.txt", "test_yyyymmdd_24hrs.txt"])
    func tenLineVariants(_ name: String) async throws {
        let r = try await run(name)
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 9)
        #expect(r.system.count == 2)
        #expect(r.system.allSatisfy { $0.direction == .internal && $0.customerKey == nil })
        #expect(r.authors == ["John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"])
        let expected = ["2019-01-01T11:25:00Z", "2019-01-20T11:23:00Z", "2019-01-30T20:49:00Z", "2020-06-10T15:55:00Z",
                        "2020-06-20T00:08:00Z", "2020-06-30T09:10:00Z", "2021-12-10T10:10:00Z", "2021-12-20T12:10:00Z",
                        "2021-12-30T22:01:00Z"].map(Samples.date)
        #expect(r.stored.map(\.occurredAt) == expected)
        #expect(r.stored[2].text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.")
        #expect(r.stored[1].text == ".")
        #expect(r.system.map(\.text) == ["+12 345 578 created group \"Groupname\"", "You were added"])
    }

    @Test("test_dateformat1: month first, multi-line messages, Android system lines, a phone-number author")
    func dateformat1() async throws {
        let r = try await run("test_dateformat1.txt")
        #expect(r.deadLetters.isEmpty)
        try #require(r.stored.count == 9)
        #expect(r.system.count == 3)
        #expect(r.authors == ["John Doe", "John-John Doe", "Jahn Doe", "+12 345 578"])
        #expect(r.first == Samples.date("2014-12-24T17:08:00Z"))
        #expect(r.last == Samples.date("2020-01-18T14:53:00Z"))
        #expect(r.stored.first?.occurredAt == Samples.date("2019-12-24T11:23:00Z"))
        #expect(r.stored[4].text?.split(separator: "\n").count == 6)
        let phone = try #require(r.stored.last)
        #expect(phone.actorName == "+12 345 578")
        #expect(phone.customerKey == "+12345578")
        #expect(r.stored[5].text?.hasPrefix("Messages and calls are end-to-end encrypted") == true)
    }

    @Test("test_dateformat2: m/d/yyyy with p.m., p. m. and a. m.")
    func dateformat2() async throws {
        let r = try await run("test_dateformat2.txt")
        #expect(r.stored.map(\.occurredAt) == ["2019-09-24T23:30:00Z", "2019-11-27T21:30:00Z", "2019-11-17T21:34:00Z",
                                               "2019-12-24T11:30:00Z"].map(Samples.date))
        #expect(r.authors == ["John Doe", "John-John Doe", "Jahn Doe"])
        #expect(r.system.isEmpty && r.deadLetters.isEmpty)
    }

    @Test("test_dateformat3: yyyy/mm/dd with a stray dot after the time")
    func dateformat3() async throws {
        let r = try await run("test_dateformat3.txt")
        try #require(r.stored.count == 4 && r.deadLetters.isEmpty)
        #expect(r.first == Samples.date("2022-12-14T13:34:00Z"))
        #expect(r.last == Samples.date("2022-12-24T11:35:00Z"))
        #expect(r.stored[2].text == "Lorem ipsum : dolor sit amet.")
    }

    @Test("test_dateformat4: iOS brackets, seconds, 24-hour values with p.m.; the changing first part is the day")
    func dateformat4() async throws {
        let r = try await run("test_dateformat4.txt")
        #expect(r.stored.map(\.occurredAt) == ["2022-10-09T23:37:00Z", "2022-10-10T12:37:00Z", "2022-10-11T13:37:00Z",
                                               "2022-10-12T14:37:00Z"].map(Samples.date))
        let monthFirst = try await run("test_dateformat4.txt", yaml: "date_order: mdy")
        #expect(monthFirst.first == Samples.date("2022-09-10T23:37:00Z"))
    }

    @Test("test_dateformat5 (iOS, dotted m.d.y) and test_dateformat6 (Android d/m/y) give the same instants")
    func dateformat5and6() async throws {
        let five = try await run("test_dateformat5.txt")
        let six = try await run("test_dateformat6.txt")
        let expected = ["2021-10-21T15:21:45Z", "2021-10-22T15:21:46Z", "2021-10-23T15:21:47Z",
                        "2021-10-24T15:21:48Z"].map(Samples.date)
        #expect(five.stored.map(\.occurredAt) == expected)
        #expect(six.stored.map(\.occurredAt) == expected)
        try #require(six.stored.count == 4)
        #expect(six.stored[1].text == "Lorem ipsum dolor sit amet.")
        #expect(five.deadLetters.isEmpty && six.deadLetters.isEmpty)
    }

    @Test("test_unicode: U+00A0 inside p. m., emoji names")
    func unicode() async throws {
        let r = try await run("test_unicode.txt")
        try #require(r.stored.count == 3)
        #expect(r.authors == ["John Doe", "John Doe 🤓", "🤓"])
        #expect(r.stored.allSatisfy { $0.occurredAt == Samples.date("2022-10-09T22:37:00Z") })
        #expect(r.stored[0].text == "Testing abnormal\u{00A0}unicode")
    }

    @Test("testlog: every format mixed in one file, read month first")
    func mixed() async throws {
        let r = try await run("testlog.txt")
        #expect(r.deadLetters.isEmpty)
        #expect(r.stored.count == 23)
        #expect(r.system.count == 3)
        #expect(r.authors == ["John Doe", "Jahn Doe", "John-John Doe", "+12 345 578", "John Doe 🤓", "🤓"])
        #expect(r.first == Samples.date("2014-12-24T17:08:00Z"))
        #expect(r.last == Samples.date("2022-12-24T13:01:00Z"))
        let dashes = r.stored.filter { $0.text == "Testing date dashes" }
        #expect(dashes.map(\.occurredAt) == [Samples.date("2022-09-10T22:37:00Z")])
        // Two identical messages in the same second get distinct, stable ids.
        let twins = r.stored.filter { $0.text == "Testing dash in author's first name" }
        #expect(twins.count == 2)
        #expect(Set(twins.map(\.id)).count == 2)
        #expect(r.stored.contains { $0.text == "Testing dash - in message body" })
    }

    @Test("every real sample complies and a second import stores nothing new")
    func idempotent() async throws {
        let harness = ConnectorHarness(context: ConnectorContext(timeZone: Samples.utc))
        let url = Samples.real("whatsapp")
        let first = try await ImportRun.run(WhatsAppImporter.self, [url], harness: harness)
        #expect(ConnectorCompliance.problems(in: first.stored, source: "chat").isEmpty)
        let perFile: [Int] = [9, 4, 4, 4, 4, 4, 9, 9, 9, 3, 9, 23]   // file order: dateformat1…6, ddmmyy, …, testlog
        #expect(first.stored.count == perFile.reduce(0, +))
        let second = try await ImportRun.run(WhatsAppImporter.self, [url], harness: harness)
        #expect(second.summary.stored == 0)
        #expect(second.summary.duplicates == first.stored.count)
    }
}
