import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardMetrics
import Testing

/// The live state (docs/live.md) against a fresh ``Dataset`` of the same rows at the same moment.
@Suite("Live conversation state")
struct LiveDatasetTests {
    /// FastScanTests' settings (business hours, customer links) with a shorter idle resolution, so that
    /// inferred resolutions cross the moments the state moves through.
    static var settings: MetricsSettings {
        var s = FastScanTests.settings
        s.idleAfter = 30 * 3600
        s.repeatWindow = 3 * 86400
        return s
    }

    /// A scan of `items` (in the order given) with their global positions as storage order.
    static func scan(_ items: [(Int, Interaction)]) -> MetricsScan {
        var scan = MetricsScan()
        for (order, i) in items { scan.add(i, order: Int64(order)) }
        return scan
    }

    /// Reports (every breakdown, filters, a period), conversation lists, FCR verdicts and survey links, as text.
    static func outcome(_ data: Dataset, now: Date) -> [String] {
        let engine = MetricsEngine(settings: settings)
        let requests = [
            ReportRequest(now: now),
            ReportRequest(now: now, by: Breakdown.all),
            ReportRequest(from: at("2026-03-03T00:00:00Z"), to: at("2026-03-11T00:00:00Z"), now: now, by: [.agent, .channel, .day],
                          channels: [.email, .phone, .chat], agents: ["anna", "boris"]),
        ]
        var lines = requests.map { JSONReportRenderer.render(engine.compute(data, request: $0)) }
        var unresolved = ConversationConditions()
        unresolved.unresolved = true
        for conditions in [ConversationConditions(), unresolved] {
            let list = engine.conversations(data, request: ReportRequest(now: now), conditions: conditions)
            lines.append(ConversationListRenderer.render(list, format: .jsonl))
        }
        var details: [String] = []
        for (i, c) in data.conversations.enumerated() {
            details.append("\(data.source(of: c))/\(data.key(of: c)): \(data.fcr[i].explanation) \(c.resolved) \(c.transitions.count)")
        }
        for s in data.surveys {
            let target = s.conversation.map { "\(data.source(of: data.conversations[$0]))/\(data.key(of: data.conversations[$0]))" }
            details.append("survey \(data.tables.keys.string(s.key)) \(s.at) \(s.info.score) → \(target ?? "-")")
        }
        return lines + details.sorted()
    }

    /// nil when equal, else the first differing line of each around where they first differ.
    static func difference(_ a: [String], _ b: [String]) -> String? {
        guard a != b else { return nil }
        for (x, y) in zip(a, b) where x != y {
            let common = zip(x, y).prefix { $0 == $1 }.count
            let from = max(0, common - 60)
            return "…\(x.dropFirst(from).prefix(400))\n  vs\n…\(y.dropFirst(from).prefix(400))"
        }
        return "\(a.count) lines vs \(b.count)"
    }

    @Test("kept current over random batches (arriving out of order at times) and moments, it equals a fresh dataset",
          arguments: [3 as UInt64, 17, 128, 2026])
    func equalsFreshDataset(seed: UInt64) throws {
        var r = MixedData.Random(state: seed)
        let items = Array(MixedData.make(seed: seed, conversations: 260).enumerated())
        // Batches of random size; now and then two neighbours arrive swapped (a lower seq committed later).
        var batches: [[(Int, Interaction)]] = []
        var at = 0
        while at < items.count {
            let n = min(items.count - at, 1 + r.next(r.next(4) == 0 ? 200 : 25))
            batches.append(Array(items[at..<at + n]))
            at += n
        }
        for k in stride(from: 1, to: batches.count - 1, by: 1) where r.next(5) == 0 { batches.swapAt(k, k + 1) }
        var now = MixedData.start.addingTimeInterval(Double(2 * 86400 + r.next(86400)))
        var applied = batches[0]
        // Small walk blocks: most reports take some blocks from the kept walk and walk others again.
        var live = LiveDataset(scan: Self.scan(batches[0]), settings: Self.settings, now: now, walkBlock: 8)
        var compared = 0
        for (k, batch) in batches.enumerated().dropFirst() {
            var tail = Self.scan(batch)
            live.apply(&tail)
            applied += batch
            if r.next(3) == 0 {
                // Forward by up to two days: future rows become known, idle resolutions and calls end.
                now = now.addingTimeInterval(Double(r.next(2 * 86400)))
                let moved = live.advance(to: now)
                #expect(moved)
            }
            guard r.next(3) == 0 || k == batches.count - 1 else { continue }
            let fresh = Dataset(scan: Self.scan(applied.sorted { $0.0 < $1.0 }), settings: Self.settings, now: now)
            let a = Self.outcome(live.data, now: now), b = Self.outcome(fresh, now: now)
            #expect(Self.difference(a, b) == nil, "seed \(seed), batch \(k) of \(batches.count), now \(now)")
            compared += 1
            // Later moments with no new rows: the kept walk's blocks hold until an instant of theirs is reached.
            for _ in 0..<(r.next(3)) {
                now = now.addingTimeInterval(Double(r.next(6 * 3600)))
                let moved = live.advance(to: now)
                #expect(moved)
                let fresh = Dataset(scan: Self.scan(applied.sorted { $0.0 < $1.0 }), settings: Self.settings, now: now)
                #expect(Self.difference(Self.outcome(live.data, now: now), Self.outcome(fresh, now: now)) == nil,
                        "seed \(seed), batch \(k), a later moment \(now)")
            }
        }
        let memo = try #require(live.data.walkMemo)
        #expect(memo.counts.kept > 0 && memo.counts.walked > 0, "the kept walk was used: \(memo.counts)")
        // The end of the period: every row known, every idle resolution passed.
        now = MixedData.start.addingTimeInterval(40 * 86400)
        let moved = live.advance(to: now)
        #expect(moved)
        let fresh = Dataset(scan: Self.scan(items), settings: Self.settings, now: now)
        #expect(Self.difference(Self.outcome(live.data, now: now), Self.outcome(fresh, now: now)) == nil)
        #expect(live.data.conversations.count == fresh.conversations.count)
        #expect(compared >= 3)
        let back = live.advance(to: now.addingTimeInterval(-1))
        #expect(!back, "an earlier moment is left to a rebuild")
    }

    @Test("an empty actor id first read in a later batch is the same unknown agent as a missing one")
    func blankActorArrivingLater() throws {
        let t = at("2026-03-02T10:00:00Z")
        func message(_ n: Int, _ role: ActorRole, actor: String?, _ minutes: Double) -> Interaction {
            Interaction(source: "desk", externalId: "b\(n)", channel: .web, platform: "widget", conversationKey: "k1", kind: .message,
                        direction: role == .customer ? .inbound : .outbound, actorRole: role, actorId: actor,
                        customerKey: "c@example.com", occurredAt: t.addingTimeInterval(minutes * 60), provenance: "t:\(n)")
        }
        let items = [message(1, .customer, actor: nil, 0), message(2, .agent, actor: nil, 5), message(3, .agent, actor: "", 9)]
        var live = LiveDataset(scan: Self.scan([(0, items[0]), (1, items[1])]), settings: Self.settings, now: t.addingTimeInterval(3600))
        var tail = Self.scan([(2, items[2])])
        live.apply(&tail)
        let fresh = Dataset(scan: Self.scan(Array(items.enumerated())), settings: Self.settings, now: live.now)
        #expect(live.data.conversations.first?.agentSet.count == 1)
        #expect(Self.difference(Self.outcome(live.data, now: live.now), Self.outcome(fresh, now: live.now)) == nil)
    }

    @Test("a moment crossing an idle resolution, a call's end and a future-dated row rebuilds just those conversations")
    func nowDependentChanges() throws {
        let t = at("2026-03-02T10:00:00Z")
        func message(_ key: String, _ role: ActorRole, _ time: Date, _ n: Int) -> Interaction {
            Interaction(source: "mail", externalId: "m\(n)", channel: .email, platform: "imap", conversationKey: key, kind: .message,
                        direction: role == .customer ? .inbound : .outbound, actorRole: role, actorId: role == .agent ? "anna" : nil,
                        customerKey: "c@example.com", occurredAt: time, provenance: "t:\(n)")
        }
        var call = message("call-1", .customer, t, 5)
        call.source = "pbx"; call.channel = .phone; call.platform = "asterisk"; call.kind = .call
        call.call = CallInfo(queue: "support", agentId: "boris", waitSeconds: 30, talkSeconds: 600, outcome: .answered)
        let items = [message("a", .customer, t, 1), message("a", .agent, t.addingTimeInterval(600), 2),
                     message("b", .customer, t.addingTimeInterval(40 * 3600), 3), call]
        let scan = Self.scan(Array(items.enumerated()))
        var live = LiveDataset(scan: scan, settings: Self.settings, now: t.addingTimeInterval(60))
        func resolved(_ key: String) -> Bool? { live.data.conversations.first { live.data.key(of: $0) == key }?.resolved }
        #expect(resolved("a") == false && resolved("b") == nil && resolved("call-1") == false)
        var moved = live.advance(to: t.addingTimeInterval(631))   // the call ended at 630 s
        #expect(moved)
        #expect(resolved("call-1") == true && resolved("a") == false)
        moved = live.advance(to: t.addingTimeInterval(600 + 30 * 3600))   // 30 h after the reply: idle resolution
        #expect(moved)
        #expect(resolved("a") == true && resolved("b") == nil)
        moved = live.advance(to: t.addingTimeInterval(40 * 3600))   // the future-dated message is known
        #expect(moved)
        #expect(resolved("b") == false)
        let fresh = Dataset(scan: Self.scan(Array(items.enumerated())), settings: Self.settings, now: live.now)
        #expect(Self.difference(Self.outcome(live.data, now: live.now), Self.outcome(fresh, now: live.now)) == nil)
    }
}
