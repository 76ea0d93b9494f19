import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// Native topics of calls: the queue name, the dialled number (DID) and the dialplan context through
/// the `topics:` setting, and phone-csv's `topics` column.
@Suite("phone topics")
struct PhoneTopicsTests {
    static let context = PhoneTestSupport.context(timeZone: "UTC")

    /// Imports `fixture` with a connector made from `yaml` and returns the calls by conversationKey.
    func run<C: FileImporter>(_ type: C.Type, _ yaml: String, fixture: String, deadLetters: Int = 0,
                              make: (C.Settings) throws -> C) async throws -> [String: Interaction] {
        let harness = ConnectorHarness(context: Self.context)
        let connector = try make(try ConnectorHarness.settings(for: type, yaml: yaml))
        let summary = try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture(fixture)])
        #expect(summary.deadLetters == deadLetters)
        let stored = await harness.stored()
        #expect(ConnectorCompliance.problems(in: stored, source: "pbx").isEmpty)
        return Dictionary(uniqueKeysWithValues: stored.map { ($0.conversationKey, $0) })
    }

    func cdr(_ yaml: String) async throws -> [String: Interaction] {
        let queueLog = try PhoneTestSupport.fixture("topics_queue_log").path
        return try await run(AsteriskCDRConnector.self, "queue_log: \(queueLog)\n" + yaml, fixture: "topics_cdr.csv") {
            try AsteriskCDRConnector(name: "pbx", settings: $0, context: Self.context)
        }
    }

    static let cdrTopics = """
        topics:
          dids: {"+7 495 000-00-01": billing, "+7 (495) 000-00-02": returns}
          contexts: {ivr-billing: billing}
        """

    // MARK: asterisk-cdr

    @Test("asterisk-cdr: the queue_log's queue, a DID written another way, and a context give topics")
    func cdrTopics() async throws {
        let calls = try await cdr(Self.cdrTopics)
        #expect(calls.count == 5)
        // dst 74950000001 is +7 495 000-00-01; the queue billing-q comes from the queue_log.
        #expect(calls["1709546400.11"]?.topics == ["billing", "billing-q"])
        #expect(calls["1709546400.11"]?.call?.queue == "billing-q")
        #expect(calls["1709546700.13"]?.topics == ["returns"])          // 84950000002 = +7 (495) 000-00-02
        #expect(calls["1709547000.15"]?.topics == ["billing"])          // dcontext ivr-billing (dst `s`)
        #expect(calls["1709547300.16"]?.topics == [])                   // unmapped DID and context
        // An agent dialling a mapped number: on outbound calls dst is the customer's number, not a DID.
        let outbound = try #require(calls["1709547600.18"])
        #expect(outbound.direction == .outbound && outbound.topics == [])
    }

    @Test("asterisk-cdr: queue: false turns queue topics off, the maps stay")
    func cdrQueueOff() async throws {
        let calls = try await cdr(Self.cdrTopics.replacingOccurrences(of: "topics:\n", with: "topics:\n  queue: false\n"))
        #expect(calls["1709546400.11"]?.topics == ["billing"])
        #expect(calls["1709546400.11"]?.call?.queue == "billing-q")    // the call keeps its queue
        #expect(calls["1709547000.15"]?.topics == ["billing"])
    }

    @Test("asterisk-cdr without a topics setting: the queue alone, and nothing for calls without one")
    func cdrDefault() async throws {
        let calls = try await cdr("")
        #expect(calls["1709546400.11"]?.topics == ["billing-q"])
        #expect(calls.values.filter { $0.call?.queue == nil }.allSatisfy { $0.topics.isEmpty })
    }

    @Test("asterisk-cdr on the real Master.csv: no queue, no setting, no topics")
    func realSampleHasNone() async throws {
        let context = PhoneTestSupport.context(timeZone: "Asia/Irkutsk")
        let harness = ConnectorHarness(context: context)
        let connector = try AsteriskCDRConnector(name: "pbx", settings: .init(), context: context)
        try await harness.importFiles(connector, source: "pbx", [PhoneTestSupport.realSample("asterisk/Master.csv")])
        #expect(await harness.stored().allSatisfy { $0.topics.isEmpty })
        // Its trunk numbers are short (211474): they match a DID entry by their digits.
        let mapped = try AsteriskCDRConnector(name: "pbx2", settings: .init(topics: PhoneTopicSettings(dids: ["21-14-74": "stadium"])),
                                              context: context)
        try await harness.importFiles(mapped, source: "pbx2", [PhoneTestSupport.realSample("asterisk/Master.csv")])
        let calls = await harness.stored().filter { $0.source == "pbx2" }
        #expect(calls.contains { $0.topics == ["stadium"] })
        #expect(calls.allSatisfy { $0.topics.isEmpty || $0.topics == ["stadium"] })
    }

    // MARK: asterisk-queue-log

    func queueLog(_ yaml: String, fixture: String = "topics_queue_log") async throws -> [String: Interaction] {
        // The shared queue_log fixture has two broken lines (AsteriskQueueLogTests).
        try await run(AsteriskQueueLogConnector.self, yaml, fixture: fixture, deadLetters: fixture == "queue_log" ? 2 : 0) {
            try AsteriskQueueLogConnector(name: "pbx", settings: $0, context: Self.context)
        }
    }

    @Test("asterisk-queue-log: every queued call gets its queue as a topic; queue: false none")
    func queueLogQueues() async throws {
        let calls = try await queueLog("", fixture: "queue_log")
        #expect(calls.count == 10)
        for call in calls.values { #expect(call.topics == [call.call?.queue ?? "no queue"]) }
        let off = try await queueLog("topics: {queue: false}", fixture: "queue_log")
        #expect(off.count == 10 && off.values.allSatisfy { $0.topics.isEmpty })
    }

    @Test("asterisk-queue-log: DID lines map through topics.dids and change nothing else")
    func queueLogDIDs() async throws {
        let yaml = #"topics: {dids: {"+7 495 000-00-01": billing, "8 (495) 000-00-02": returns}}"#
        let calls = try await queueLog(yaml)
        // 1709548200.22 has only a DID line: it never entered a queue and is no call.
        #expect(calls.keys.sorted() == ["1709546400.11", "1709547900.21", "1709548500.23"])
        let billed = try #require(calls["1709546400.11"])
        #expect(billed.topics == ["billing", "billing-q"])
        // The call starts at ENTERQUEUE (line 2), not at the DID line a second before it.
        #expect(billed.occurredAt == Date(timeIntervalSince1970: 1709546400) && billed.provenance == "file:topics_queue_log#L2")
        #expect(billed.call == CallInfo(queue: "billing-q", agentId: "anna", waitSeconds: 9, talkSeconds: 120, outcome: .answered))
        #expect(calls["1709547900.21"]?.topics == ["Sales Line"])
        #expect(calls["1709548500.23"]?.topics == ["billing-q"])        // 84959999999 is not mapped
        // Without dids the DID lines are not read at all: the same calls, queue topics only.
        let plain = try await queueLog("")
        #expect(plain.keys.sorted() == calls.keys.sorted())
        #expect(plain["1709546400.11"]?.topics == ["billing-q"])
        #expect(plain["1709546400.11"]?.provenance == "file:topics_queue_log#L2")
    }

    // MARK: freeswitch-cdr

    static let fsColumns = """
        columns: [caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp,
                  duration, billsec, hangup_cause, uuid, bleg_uuid, cc_queue]
        """

    func freeswitch(_ yaml: String, fixture: String = "topics_freeswitch.csv") async throws -> [String: Interaction] {
        try await run(FreeSWITCHCDRConnector.self, yaml, fixture: fixture) {
            try FreeSWITCHCDRConnector(name: "pbx", settings: $0, context: Self.context)
        }
    }

    @Test("freeswitch-cdr: cc_queue, destination_number and context give topics")
    func freeswitchTopics() async throws {
        let yaml = Self.fsColumns + "\n" + #"topics: {dids: {"8-495-000-00-01": billing, "+7 495 000 00 02": returns}, contexts: {ivr: self-service}}"#
        let calls = try await freeswitch(yaml)
        #expect(calls.count == 4)
        let first = try #require(calls["c3a1d7e0-0001-4b1e-8d2a-000000000001"])
        #expect(first.call?.queue == "support@default")
        #expect(first.topics == ["billing", "support@default"])          // "+7 495 000-00-01" = 8-495-000-00-01
        #expect(calls["c3a1d7e0-0002-4b1e-8d2a-000000000002"]?.topics == ["returns", "support@default"])
        #expect(calls["c3a1d7e0-0003-4b1e-8d2a-000000000003"]?.topics == ["self-service"])
        #expect(calls["c3a1d7e0-0004-4b1e-8d2a-000000000004"]?.topics == [])   // outbound
        let off = try await freeswitch(Self.fsColumns + "\ntopics: {queue: false}")
        #expect(off.values.allSatisfy { $0.topics.isEmpty })
        #expect(off["c3a1d7e0-0001-4b1e-8d2a-000000000001"]?.call?.queue == "support@default")
    }

    @Test("freeswitch-cdr: the example template has a context and no queue")
    func freeswitchExample() async throws {
        let harness = ConnectorHarness(context: Self.context)
        let fs = try FreeSWITCHCDRConnector(name: "fs", settings: .init(topics: PhoneTopicSettings(contexts: ["ivr": "self-service"])),
                                            context: Self.context)
        try await harness.importFiles(fs, source: "fs", [try PhoneTestSupport.fixture("freeswitch.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls["a1f0c6c2-0005-4e55-9c1b-000000000005"]?.topics == ["self-service"])
        #expect(calls.values.filter { $0.topics.isEmpty }.count == 7)
    }

    // MARK: phone-csv

    func phoneCSV(_ yaml: String) async throws -> [String: Interaction] {
        try await run(PhoneCSVConnector.self, yaml, fixture: "topics_calls.csv") {
            try PhoneCSVConnector(name: "pbx", settings: $0, context: Self.context)
        }
    }

    @Test("phone-csv: a tags column (found by name), the queue column and a DID of the to column")
    func phoneCSVTopics() async throws {
        let calls = try await phoneCSV(#"topics: {dids: {"8 495 000-00-01": billing, "+7 (495) 000-00-02": returns}}"#)
        #expect(calls["C-2001"]?.topics == ["billing", "support", "vip"])   // tags, queue and DID (billing once)
        #expect(calls["C-2002"]?.topics == ["returns"])
        #expect(calls["C-2003"]?.topics == ["Sales", "billing", "returns"])  // "returns , billing," and queue Sales
        #expect(calls["C-2004"]?.direction == .outbound && calls["C-2004"]?.topics == [])
        let off = try await phoneCSV("topics: {queue: false}\ncolumns: {topics: tags}")
        #expect(off["C-2001"]?.topics == ["billing", "vip"])
        #expect(off["C-2002"]?.topics == [])
        #expect(off["C-2003"]?.topics == ["billing", "returns"])
    }

    @Test("phone-csv: child legs add their labels to the parent call")
    func phoneCSVChildLegs() async throws {
        let dir = try PhoneTestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("legs.csv")
        try Data("""
            sid,parent_call_sid,start_time,end_time,from,to,status,topics
            CA1,,2024-03-04 09:00:00,2024-03-04 09:03:00,+79161234567,+74950000001,completed,billing
            CA2,CA1,2024-03-04 09:00:10,2024-03-04 09:03:00,+74950000001,301,completed,escalated

            """.utf8).write(to: file)
        let harness = ConnectorHarness(context: Self.context)
        let connector = try PhoneCSVConnector(name: "csv", settings: .init(), context: Self.context)
        try await harness.importFiles(connector, source: "csv", [file])
        let calls = await harness.stored()
        #expect(calls.count == 1 && calls.first?.topics == ["billing", "escalated"])
    }

    // MARK: settings

    static let registry = ConnectorRegistry([AsteriskCDRConnector.self, AsteriskQueueLogConnector.self,
                                             FreeSWITCHCDRConnector.self, PhoneCSVConnector.self])

    /// The problems `switchboard check` reports for one connector entry.
    static func problems(kind: String, _ settings: String) throws -> [ConfigProblem] {
        let loader = ConfigLoader(registry: registry, environment: [:])
        let yaml = """
            phone: {default_country: RU}
            connectors:
              - name: calls
                kind: \(kind)
                path: ./calls.csv
            \(settings.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")
        do {
            let config = try loader.load(yaml: yaml, file: file)
            _ = try registry.make(config.connectors[0], context: ConnectorContext(config: config), file: file.path)
            return []
        } catch let error as ConfigError {
            return error.problems
        }
    }

    @Test("a bad topics setting is a config problem naming the key", arguments: [
        "asterisk-cdr", "asterisk-queue-log", "freeswitch-cdr", "phone-csv",
    ])
    func badSettings(kind: String) throws {
        func check(_ settings: String, key: String, says: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let problems = try Self.problems(kind: kind, settings)
            #expect(problems.count == 1, "\(settings)", sourceLocation: sourceLocation)
            let text = problems.map(\.description).joined(separator: "\n")
            #expect(text.contains(key) && text.contains(says), "\(text)", sourceLocation: sourceLocation)
        }
        try check("topics: {dids: [a, b]}", key: "connectors[0].topics.dids", says: "expected a mapping")
        try check("topics: {queue: sometimes}", key: "connectors[0].topics.queue", says: "expected true or false")
        try check("topics: billing", key: "connectors[0].topics", says: "expected a mapping")
        try check("topics: {did: {\"+74950000001\": billing}}", key: "topics.did", says: "known keys: queue, dids, contexts")
        try check("topics: {dids: {billing: \"+74950000001\"}}", key: "topics.dids", says: "'billing' is not a phone number")
        try check("topics: {dids: {\"+7 495 000-00-01\": billing, \"84950000001\": sales}}", key: "topics.dids",
                  says: "are the same number +74950000001")
        try check("topics: {dids: {\"+74950000001\": \" \"}}", key: "topics.dids.+74950000001", says: "the topic is empty")
        #expect(try Self.problems(kind: kind, "topics: {queue: false, dids: {\"+74950000001\": billing}}").isEmpty)
        if kind == "asterisk-cdr" || kind == "freeswitch-cdr" {
            #expect(try Self.problems(kind: kind, "topics: {contexts: {ivr-billing: billing}}").isEmpty)
        } else {
            try check("topics: {contexts: {ivr-billing: billing}}", key: "topics.contexts", says: "no dialplan context")
        }
    }

    @Test("the documented YAML, quoted numbers and all, read through the config loader")
    func documentedYAML() async throws {
        let loader = ConfigLoader(registry: Self.registry, environment: [:])
        let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")
        let config = try loader.load(yaml: """
            phone: {default_country: RU}
            connectors:
              - name: pbx
                kind: asterisk-cdr
                path: ./Master.csv
                queue_log: \(try PhoneTestSupport.fixture("topics_queue_log").path)
                topics:
                  queue: true                                   # the queue name is a topic (default true)
                  dids: {"+74950000001": billing, "84950000002": returns}   # dialled number → topic
                  contexts: {ivr-billing: billing}              # Asterisk dialplan context (dcontext) → topic
            """, file: file)
        let made = try Self.registry.make(config.connectors[0], context: ConnectorContext(config: config), file: file.path)
        let connector = try #require(made as? AsteriskCDRConnector)
        let harness = ConnectorHarness(context: ConnectorContext(config: config))
        try await harness.importFiles(connector, source: "pbx", [try PhoneTestSupport.fixture("topics_cdr.csv")])
        let calls = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.conversationKey, $0) })
        #expect(calls["1709546400.11"]?.topics == ["billing", "billing-q"])
        #expect(calls["1709546700.13"]?.topics == ["returns"])
        #expect(calls["1709547000.15"]?.topics == ["billing"])
        #expect(calls["1709547300.16"]?.topics == [])
    }

    @Test("a columns layout without the mapped column says so")
    func layoutWithoutColumn() throws {
        let cdr = try Self.problems(kind: "asterisk-cdr", """
            columns: [start, end, billsec, disposition, dstchannel, src, linkedid]
            topics: {dids: {"+74950000001": billing}}
            """)
        #expect(cdr.count == 1 && cdr[0].message.contains("topics.dids: the configured columns have no dst"))
        let fs = try Self.problems(kind: "freeswitch-cdr", """
            columns: [uuid, start_stamp, answer_stamp, end_stamp, billsec, hangup_cause, caller_id_number, destination_number]
            topics: {contexts: {ivr: self-service}}
            """)
        #expect(fs.count == 1 && fs[0].message.contains("topics.contexts: the configured columns have no context"))
    }

    @Test("the topics setting is listed for switchboard connectors")
    func listed() {
        for kind in Self.registry.kinds {
            #expect(kind.settings.contains { $0.key == "topics" }, "\(kind.kind)")
        }
    }
}
