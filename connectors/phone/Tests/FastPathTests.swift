import Foundation
import Testing
import SwitchboardCore
import SwitchboardTesting
@testable import PhoneConnectors

/// The byte-level paths of the CDR import pinned against the String versions
/// they replace, and the whole import against calls stored by the earlier
/// String-based implementation (`Fixtures/golden_calls.jsonl`).
@Suite("asterisk-cdr fast paths")
struct FastPathTests {
    static let numbers = [
        "89161234567", "+7 (916) 123-45-67", "9161234567", "0079161234567", "79161234567", "8 (916) 555-44-33",
        "81079243525786", "810441234567890", "+44 20 7946 0958", "00442079460958", "0044", "(415) 555-2671",
        "030 1234567", "+1234567890123456", "123456789012345678", "301", "SIP/301", "SIP/trunk-00000001", "12345",
        "123456", "1234567", "12345678", "anonymous", "", " ", "+", "++79161234567", " \t+79161234567",
        "79161234567 ", "8-800-555-35-35", "8800", "0", "00", "000000", "+0", "8 916 123 45 67 доб. 12",
        "\u{00A0}+79161234567", "+\u{0301}79161234567", "\u{2003}89161234567", "＋79161234567", "٧٩١٦١٢٣٤٥٦٧",
    ]
    static let countries: [String?] = ["RU", "ru", "US", "DE", "GB", "UA", "BY", "IL", "ES", "XX", nil]

    @Test("E.164 on bytes gives the String version's answer", arguments: countries)
    func e164OnBytes(country: String?) {
        let normalizer = PhoneNumber.Normalizer(defaultCountry: country)
        var inputs = Self.numbers
        // Plus generated ones: digits, separators and prefixes in every mix (a fixed-seed generator).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let alphabet = Array("0123456789 +-()8007".utf8)
        for _ in 0..<3000 {
            var s: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(state >> 59) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                s.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            inputs.append(String(decoding: s, as: UTF8.self))
        }
        for raw in inputs {
            var bytes = raw
            let fast = bytes.withUTF8 { normalizer.e164($0) }
            #expect(fast == PhoneNumber.e164(raw, defaultCountry: country), "\(raw.debugDescription) in \(country ?? "nil")")
            let key = bytes.withUTF8 { normalizer.customerKey($0) }
            #expect(key == PhoneNumber.customerKey(raw, defaultCountry: country), "key of \(raw.debugDescription) in \(country ?? "nil")")
        }
        // Invalid UTF-8 (the real Master.csv has 0xA5 bytes) reads as the String decoding of the same bytes.
        let invalid: [UInt8] = [0x38, 0x39, 0xA5, 0x31, 0x36, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]
        let fast = invalid.withUnsafeBufferPointer { normalizer.e164($0) }
        #expect(fast == PhoneNumber.e164(String(decoding: invalid, as: UTF8.self), defaultCountry: country))
    }

    @Test("extension parts, caller names and agent lookups on bytes match the String versions")
    func byteHelpers() {
        let channels = ["SIP/301-0000002a", "Local/301@from-queue-00000a;1", "PJSIP/303", "301", "SIP/trunk-00000001",
                        "-301", "SIP/-5", "", "/", "@", "SIP/30-1-2", "IAX2/host/302-7", "SIP/тест-01"]
        for c in channels {
            var s = c
            let fast = s.withUTF8 { String(decoding: PhoneCallBuilder.extensionPart(bytes: $0), as: UTF8.self) }
            #expect(fast == PhoneCallBuilder.extensionPart(c), "\(c)")
        }
        let clids = ["\"Anna\" <301>", "\"\"Quoted\"\" <1>", "  Anna   <301>", "<301>", "\"301\" <301>", "\"\" <1>",
                     "Иван <89161234567>", "\" Boris \"", "no brackets", "", "\"", "a<b<c"]
        for clid in clids {
            for number in ["301", "1", "Anna", "89161234567"] {
                var s = clid
                let fast = s.withUTF8 { PhoneCallBuilder.callerName(fromClid: $0, number: number) }
                #expect(fast == PhoneCallBuilder.callerName(fromClid: clid, number: number), "\(clid) / \(number)")
            }
        }
        // The reference: the String dictionary the builder always used.
        let agents = PhoneTestSupport.agents
        var reference: [String: String] = [:]
        for a in agents.agents { for p in a.phones { reference[p] = a.id } }
        for a in agents.agents {
            for p in a.phones where reference[PhoneCallBuilder.extensionPart(p)] == nil {
                reference[PhoneCallBuilder.extensionPart(p)] = a.id
            }
        }
        let builder = PhoneCallBuilder(source: "t", platform: "asterisk", agents: agents, defaultCountry: "RU")
        for phone in channels + ["302", "SIP/302-00000001", "Local/302@from-internal", "3011", "30"] {
            let expected = phone.isEmpty ? nil : reference[phone] ?? reference[PhoneCallBuilder.extensionPart(phone)]
            #expect(builder.agent(phone: phone) == expected, "\(phone)")
        }
    }

    @Test("pending legs keep their checkpoint form")
    func legCheckpoint() throws {
        let stored = #"{"key":"pbx-1.5","uniqueid":"pbx-1.6","src":"89161234567","dst":"100","dcontext":"from-trunk","clid":"\"Иван\" <89161234567>","channel":"SIP/trunk-01","dstchannel":"SIP/301-02","lastapp":"","disposition":"NO ANSWER","start":1769997600,"answer":1769997607,"end":1769997620,"billsec":0,"file":"Master.csv","line":7}"#
        let leg = try JSONDecoder().decode(CDRLeg.self, from: Data(stored.utf8))
        #expect(leg.key == "pbx-1.5" && leg.uniqueid == "pbx-1.6" && leg.src == "89161234567" && leg.dst == "100")
        #expect(leg.dcontext == "from-trunk" && leg.clid == "\"Иван\" <89161234567>" && leg.channel == "SIP/trunk-01")
        #expect(leg.dstchannel == "SIP/301-02" && leg.disposition == .noAnswer && leg.answer == 1769997607)
        #expect(leg.provenance == "file:Master.csv#L7")
        let again = try JSONDecoder().decode(CDRLeg.self, from: JSONEncoder().encode(leg))
        #expect(again.text == leg.text && again.groupKey == leg.groupKey && again.end == leg.end && again.billsec == 0)
        let noUniqueid = try JSONDecoder().decode(CDRLeg.self, from: Data(stored.replacingOccurrences(of: #""uniqueid":"pbx-1.6","#, with: "").utf8))
        #expect(noUniqueid.uniqueid == nil && noUniqueid.key == "pbx-1.5" && noUniqueid.src == "89161234567")
    }

    @Test("the real Master.csv, a generated PBX day and hand-written edge rows store the same calls as before")
    func sameCallsAsBefore() async throws {
        let context = PhoneTestSupport.context(timeZone: "Asia/Irkutsk")
        let harness = ConnectorHarness(context: context)
        let settings = try ConnectorHarness.settings(for: AsteriskCDRConnector.self, yaml: "")
        let files = [("pbx", PhoneTestSupport.realSample("asterisk/Master.csv")),
                     ("bench", try PhoneTestSupport.fixture("bench_cdr.csv")),
                     ("mixed", try PhoneTestSupport.fixture("mixed_cdr.csv"))]
        for (source, url) in files {
            let connector = try AsteriskCDRConnector(name: source, settings: settings, context: context)
            let summary = try await harness.importFiles(connector, source: source, [url])
            #expect(summary.deadLetters == 0)
        }
        let stored = Dictionary(uniqueKeysWithValues: await harness.stored().map { ($0.id, $0) })
        let golden = try String(contentsOf: try PhoneTestSupport.fixture("golden_calls.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONParser.parse(Data($0.utf8)) }
        #expect(golden.count == 361)
        #expect(stored.count == golden.count)
        for g in golden {
            let id = g["id"]?.string ?? ""
            guard let i = stored[id] else {
                Issue.record("call \(id) (\(g["provenance"]?.string ?? "")) was not stored")
                continue
            }
            let where_ = i.provenance
            #expect(i.source == g["source"]?.string && i.externalId == g["external_id"]?.string, "\(where_)")
            #expect(i.conversationKey == g["conversation_key"]?.string, "\(where_)")
            #expect(i.direction.rawValue == g["direction"]?.string && i.actorRole.rawValue == g["actor_role"]?.string, "\(where_)")
            #expect(i.actorId == g["actor_id"]?.string && i.actorName == g["actor_name"]?.string, "\(where_)")
            #expect(i.customerKey == g["customer_key"]?.string, "\(where_)")
            #expect(Timestamp.milliseconds(i.occurredAt) == Int64(g["occurred_at"]?.number ?? -1), "\(where_)")
            #expect(i.call?.queue == g["call_queue"]?.string && i.call?.agentId == g["call_agent_id"]?.string, "\(where_)")
            #expect(i.call?.outcome.rawValue == g["call_outcome"]?.string, "\(where_)")
            #expect(Self.same(i.call?.waitSeconds, g["call_wait"]?.number) && Self.same(i.call?.talkSeconds, g["call_talk"]?.number), "\(where_)")
            #expect(i.provenance == g["provenance"]?.string)
        }
    }

    /// Seconds equal to the millisecond (the golden file went through SQLite's REAL printing).
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): abs(x - y) < 0.001
        default: false
        }
    }
}
