import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// `switchboard report --format html` on the demo store and on a large generated store,
/// opened in headless Chromium: loads without console messages, draws a non-blank page,
/// shows every tile and chart title, and shows the JSON report's values.
@Suite(.serialized) struct ReportHTMLBrowserTests {
    static let tileKeys: [(String, [String], HTMLFormat.ValueKind)] = [
        ("conversations", ["conversations"], .count), ("frt_median", ["frt", "median"], .duration),
        ("resolution_median", ["resolution_time", "median"], .duration), ("resolution_rate", ["resolution_rate"], .rate),
        ("fcr", ["fcr", "rate"], .rate), ("csat", ["csat", "score"], .rate), ("nps", ["nps", "score"], .score),
        ("backlog", ["backlog", "open_at_end"], .count), ("abandonment_rate", ["phone", "abandonment_rate"], .rate),
        ("service_level", ["phone", "service_level"], .rate), ("repeat_contact", ["repeat_contact", "rate"], .rate),
    ]

    /// The demo config with its store in the workspace and sample paths made absolute.
    static func demoWorkspace() throws -> Workspace {
        let root = CLI.packageRoot.appendingPathComponent("config").path
        var text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("config/demo.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "sqlite: ../.build/demo.db", with: "sqlite: ./sb.db")
            .replacingOccurrences(of: " samples/", with: " \(root)/samples/")
            .replacingOccurrences(of: "\"samples/", with: "\"\(root)/samples/")
        let ws = try Workspace(config: text)
        let r = try ws.run(["demo", "--config", "switchboard.yaml", "--store", ws.url("sb.db").path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return ws
    }

    /// Renders HTML and JSON with the same arguments, checks the page in Chromium, returns the DOM.
    @discardableResult
    static func checkInBrowser(_ ws: Workspace, _ args: [String], screenshot keep: URL? = nil, empty: Bool = false) throws -> String {
        let html = try ws.run(["report", "--format", "html", "--out", "report.html"] + args)
        #expect(html.status == 0, "\(html.stderr)")
        let json = try ws.run(["report", "--format", "json", "--by", "agent,channel"] + args)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONParser.parse(json.stdout)
        let page = ws.url("report.html")
        let source = try String(contentsOf: page, encoding: .utf8)
        #expect(!source.contains("<script") && !source.contains("http://") && !source.contains("https://"), "self-contained, no script")

        let dom = try Browser.dumpDOM(page)
        #expect(dom.status == 0, "\(dom.stderr.suffix(1000))")
        #expect(Browser.consoleProblems(dom.stderr).isEmpty, "\(Browser.consoleProblems(dom.stderr))")
        for title in HTMLReportRenderer.chartTitles { #expect(dom.stdout.contains(title), "chart title \(title)") }
        for (key, path, kind) in tileKeys {
            let tile = try #require(section(dom.stdout, id: "kpi-\(key)", end: "</article>"), "tile \(key)")
            var v: JSONValue? = report["overall"]
            for p in path { v = v?[p] }
            if let n = v?.number {
                #expect(attribute(tile, "data-value").flatMap(Double.init) == n, "tile \(key): page \(tile) vs JSON \(n)")
                #expect(tile.contains(HTMLFormat.value(n, kind)), "tile \(key) shows \(HTMLFormat.value(n, kind))")
            } else {
                #expect(attribute(tile, "data-value") == "", "tile \(key) without data")
                #expect(tile.contains("No data"))
            }
        }
        let agents = try #require(report["by_agent"]?.members)
        #expect(agents.isEmpty == empty, "agent rows: \(agents.count)")
        for (id, g) in agents {
            let row = try #require(section(dom.stdout, id: nil, start: "<tr data-group=\"\(id)\">", end: "</tr>"), "agent row \(id)")
            #expect(cell(row, "conversations") == g["conversations"]?.number, "agent \(id)")
            #expect(cell(row, "frt_median") == g["frt"]?["median"]?.number, "agent \(id) FRT median")
            #expect(cell(row, "frt_p90") == g["frt"]?["p90"]?.number, "agent \(id) FRT p90")
            #expect(cell(row, "fcr") == g["fcr"]?["rate"]?.number, "agent \(id) FCR")
        }
        let channels = try #require(report["by_channel"]?.members)
        for (key, g) in channels {
            let row = try #require(section(dom.stdout, id: nil, start: "<tr data-group=\"\(key)\">", end: "</tr>"), "channel row \(key)")
            #expect(cell(row, "conversations") == g["conversations"]?.number, "channel \(key)")
            #expect(cell(row, "resolution_median") == g["resolution_time"]?["median"]?.number, "channel \(key)")
        }
        let sources = try #require(report["data_quality"]?["sources"]?.members)
        for (name, s) in sources {
            let row = try #require(section(dom.stdout, id: nil, start: "<tr data-group=\"\(name)\">", end: "</tr>"), "source \(name)")
            #expect(cell(row, "stored") == s["stored"]?.number && cell(row, "dead_letters") == s["dead_letters"]?.number)
        }

        let png = keep ?? ws.url("report.png")
        let shot = try Browser.screenshot(page, to: png)
        #expect(shot.width == 1280 && shot.height == 2400)
        #expect(shot.colours > 20, "a drawn page has many colours, got \(shot.colours)")
        #expect(shot.ink > 0.05, "non-blank: \(shot.ink) of the pixels differ from the background")
        #expect(Browser.consoleProblems(shot.log).isEmpty)
        return dom.stdout
    }

    static func section(_ s: String, id: String?, start: String? = nil, end: String) -> String? {
        guard let from = s.range(of: start ?? "id=\"\(id!)\"") else { return nil }
        let rest = s[from.lowerBound...]
        guard let to = rest.range(of: end) else { return nil }
        return String(rest[..<to.upperBound])
    }

    static func attribute(_ s: String, _ name: String) -> String? {
        guard let r = s.range(of: "\(name)=\"") else { return nil }
        return String(s[r.upperBound...].prefix { $0 != "\"" })
    }

    static func cell(_ row: String, _ key: String) -> Double? {
        section(row, id: nil, start: "data-key=\"\(key)\"", end: ">").flatMap { attribute($0, "data-value") }.flatMap(Double.init)
    }

    @Test func consoleCheckSeesAnError() throws {
        let ws = try Workspace(config: Workspace.basicConfig)
        try ws.write("bad.html", "<!DOCTYPE html><html><body><p>x</p><script>console.error('broken page')</script></body></html>")
        let r = try Browser.dumpDOM(ws.url("bad.html"))
        #expect(Browser.consoleProblems(r.stderr).contains { $0.contains("broken page") })
        let blank = try Browser.screenshot(ws.url("bad.html"), to: ws.url("blank.png"), size: (400, 300))
        #expect(blank.ink < 0.05, "an almost empty page counts as blank: \(blank.ink)")
    }

    @Test func demoReportInChromium() throws {
        let ws = try Self.demoWorkspace()
        let keep = ProcessInfo.processInfo.environment["SWITCHBOARD_KEEP_SCREENSHOT"].map(URL.init(fileURLWithPath:))
        let dom = try Self.checkInBrowser(ws, ["--now", "2026-04-01", "--from", "2026-03-01", "--to", "2026-04-01"], screenshot: keep)
        #expect(dom.contains("Anna Smirnova"), "agent display names from the config")
        #expect(dom.contains("2026-03-01 00:00 → 2026-04-01 00:00"))
        // Topics (demo rules and native labels): the rule set, and one row per topic with the JSON report's numbers.
        let topics = try #require(Self.section(dom, id: "topics", end: "</section>"))
        #expect(topics.contains("Rule topics from rule set") && topics.contains("have no topic") && topics.contains("<svg"))
        let json = try ws.run(["report", "--format", "json", "--by", "topic", "--now", "2026-04-01", "--from", "2026-03-01", "--to", "2026-04-01"])
        let byTopic = try #require(try JSONParser.parse(json.stdout)["topics"]?["by_topic"]?.members)
        #expect(byTopic.count > 2, "demo topics: \(byTopic.map(\.0))")
        for (name, t) in byTopic {
            let row = try #require(Self.section(topics, id: nil, start: "<tr data-group=\"\(name)\"", end: "</tr>"), "topic row \(name)")
            #expect(Self.cell(row, "conversations") == t["conversations"]?.number && Self.cell(row, "change") == t["change"]?.number, "topic \(name)")
        }
        // Filters are shown in the header and change the numbers like the JSON report.
        let email = try Self.checkInBrowser(ws, ["--now", "2026-04-01", "--channel", "email"])
        #expect(email.contains("channel: email"))
    }

    @Test func emptyPeriodInChromium() throws {
        let ws = try Self.demoWorkspace()
        let dom = try Self.checkInBrowser(ws, ["--now", "2026-04-01", "--from", "2025-01-01", "--to", "2025-01-02"], empty: true)
        #expect(dom.contains("No data for this period."))
    }

    @Test func largeGeneratedStoreInChromium() throws {
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            timezone: Asia/Jerusalem
            agents:
              - {id: olga, name: "Ольга Константинопольская-Длинноименная", emails: [olga@example.com]}
              - {id: dana, name: "דנה לוי", emails: [dana@example.com]}
              - {id: amir, name: "עמיר בן־דוד (Tier 2)", emails: [amir@example.com]}
              - {id: lee, name: "Lee <script>alert(1)</script>", emails: [lee@example.com]}
            connectors:
              - {name: generated, kind: jsonl, path: ./gen.jsonl}
            """)
        try ws.write("gen.jsonl", Self.generated(conversations: 12_000))
        let imp = try ws.run(["import", "generated", "--quiet"])
        #expect(imp.status == 0, "\(imp.stderr)")
        let dom = try Self.checkInBrowser(ws, ["--now", "2026-06-01", "--from", "2026-03-01", "--to", "2026-05-01"])
        #expect(dom.contains("<bdi>דנה לוי</bdi>"))
        #expect(dom.contains("Ольга Константинопольская-Длинноименная"))
        #expect(dom.contains("Lee &lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    /// Deterministic chats, e-mails and calls over two months, with agents, resolutions and surveys.
    static func generated(conversations: Int) -> String {
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let agents = ["olga", "dana", "amir", "lee"]
        var out = ""
        out.reserveCapacity(conversations * 600)
        let start = Timestamp.parseISO8601("2026-03-01T00:00:00Z")!
        for c in 0..<conversations {
            let t0 = start.addingTimeInterval(Double(next(61 * 86400)))
            let agent = agents[next(agents.count)], customer = "cust-\(next(3000))@example.org"
            func ts(_ d: Date) -> String { Timestamp.formatISO8601(d) }
            switch next(3) {
            case 0:
                let wait = next(120), answered = next(5) > 0
                out += #"{"externalId":"call-\#(c)","channel":"phone","platform":"asterisk","conversationKey":"call-\#(c)","kind":"call","direction":"inbound","actorRole":"customer","customerKey":"+97250\#(1000000 + next(3000))","occurredAt":"\#(ts(t0))","call":{"queue":"support","agentId":\#(answered ? "\"\(agent)\"" : "null"),"waitSeconds":\#(wait),"talkSeconds":\#(answered ? 60 + next(600) : 0),"outcome":"\#(answered ? "answered" : "abandoned")"}}"#
                out += "\n"
            default:
                let channel = next(2) == 0 ? "email" : "chat"
                let key = "\(channel)-\(c)"
                out += #"{"externalId":"\#(key)-1","channel":"\#(channel)","platform":"gen","conversationKey":"\#(key)","kind":"message","direction":"inbound","actorRole":"customer","customerKey":"\#(customer)","occurredAt":"\#(ts(t0))","text":"Здравствуйте, שלום"}"#
                out += "\n"
                guard next(10) > 0 else { continue }
                let reply = t0.addingTimeInterval(Double(60 + next(channel == "email" ? 30000 : 1800)))
                out += #"{"externalId":"\#(key)-2","channel":"\#(channel)","platform":"gen","conversationKey":"\#(key)","kind":"message","direction":"outbound","actorRole":"agent","actorId":"\#(agent)","customerKey":"\#(customer)","occurredAt":"\#(ts(reply))","text":"reply"}"#
                out += "\n"
                guard next(4) > 0 else { continue }
                let done = reply.addingTimeInterval(Double(60 + next(200_000)))
                out += #"{"externalId":"\#(key)-3","channel":"\#(channel)","platform":"gen","conversationKey":"\#(key)","kind":"status","direction":"internal","actorRole":"agent","actorId":"\#(agent)","occurredAt":"\#(ts(done))","status":{"to":"resolved"}}"#
                out += "\n"
                guard next(3) == 0 else { continue }
                out += #"{"externalId":"\#(key)-4","channel":"\#(channel)","platform":"gen","conversationKey":"\#(key)","kind":"survey","direction":"inbound","actorRole":"customer","customerKey":"\#(customer)","occurredAt":"\#(ts(done.addingTimeInterval(3600)))","survey":{"metric":"csat","score":\#(1 + next(5)),"scaleMin":1,"scaleMax":5}}"#
                out += "\n"
            }
        }
        return out
    }
}
