import Foundation
import SwitchboardCore
import Testing

/// `GET /report` of the running `switchboard serve`, fetched over real HTTP with curl and compared
/// byte for byte with what `switchboard report` prints for the same options.
@Suite(.serialized) struct ServeReportTests {
    static let token = "s3cr3t-Report-Token-6f1c2a9e"

    /// The demo data of ReportCLITests, plus a listener and, when `protected`, a report token from the environment.
    static func workspace(port: Int, protected: Bool) throws -> Workspace {
        let tokenLine = protected ? "\n  report_token: ${SWITCHBOARD_REPORT_TOKEN}" : ""
        let ws = try Workspace(config: """
            store: {sqlite: ./sb.db}
            timezone: Europe/Moscow
            server:
              listen: "127.0.0.1:\(port)"\(tokenLine)
            agents:
              - {id: anna, name: Анна Смирнова, emails: [anna@example.com]}
              - {id: boris, emails: [boris@example.com]}
            \(SampleConfig.dataSections)
            """)
        for source in ["helpdesk", "surveys"] {
            let r = try ws.run(["import", source, "--quiet"], env: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        return ws
    }

    static let env = ["SWITCHBOARD_REPORT_TOKEN": token]

    /// One HTTP answer: status, headers (lower-cased names) and body.
    struct HTTPAnswer {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func get(_ port: Int, _ pathAndQuery: String, headers: [String] = []) throws -> HTTPAnswer {
        let dir = FileManager.default.temporaryDirectory
        let bodyFile = dir.appendingPathComponent("sb-report-\(UUID().uuidString).body")
        let headerFile = dir.appendingPathComponent("sb-report-\(UUID().uuidString).headers")
        defer {
            try? FileManager.default.removeItem(at: bodyFile)
            try? FileManager.default.removeItem(at: headerFile)
        }
        var args = ["-s", "-o", bodyFile.path, "-D", headerFile.path, "-w", "%{http_code}"]
        for h in headers { args += ["-H", h] }
        args.append("http://127.0.0.1:\(port)\(pathAndQuery)")
        let code = try ServeTests.curl(args)
        var fields: [String: String] = [:]
        for line in try String(contentsOf: headerFile, encoding: .utf8).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(decoding: try Data(contentsOf: bodyFile), as: UTF8.self)
        return HTTPAnswer(status: Int(code) ?? -1, headers: fields, body: body)
    }

    static let query = "from=2026-03-01&to=2026-04-01&now=2026-04-01T12:00:00Z&by=channel&by=agent,week"
    static let flags = ["--from", "2026-03-01", "--to", "2026-04-01", "--now", "2026-04-01T12:00:00Z", "--by", "channel",
                        "--by", "agent,week"]

    static func stop(_ server: Process) {
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }

    @Test func withTheTokenThePageAndJSONEqualTheReportCommand() async throws {
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(port: port, protected: true)
        let server = try await ServeTests.serve(ws, log: "serve.log", env: Self.env)
        defer { Self.stop(server) }
        let auth = ["Authorization: Bearer \(Self.token)"]

        let page = try Self.get(port, "/report?\(Self.query)", headers: auth)
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["cache-control"] == "no-store")
        let cliPage = try ws.run(["report", "--format", "html"] + Self.flags, env: Self.env)
        #expect(cliPage.status == 0, "\(cliPage.stderr)")
        #expect(page.body.contains("Анна Смирнова"))
        // The served page adds the filter form and links to the conversations; the rest is the same bytes.
        #expect(!page.body.isEmpty && ConversationsServeTests.withoutServedParts(page.body) == cliPage.stdout,
                "GET /report differs from switchboard report --format html")

        // The default format is html.
        let defaultFormat = try Self.get(port, "/report?\(Self.query)", headers: auth)
        #expect(defaultFormat.body == page.body)

        let json = try Self.get(port, "/report?\(Self.query)&format=json", headers: auth)
        #expect(json.status == 200)
        #expect(json.headers["content-type"] == "application/json")
        let cliJSON = try ws.run(["report", "--format", "json"] + Self.flags, env: Self.env)
        #expect(json.body == cliJSON.stdout)
        let parsed = try JSONParser.parse(json.body)
        #expect(parsed["overall"]?["conversations"]?.number == 4)
        #expect(parsed["by_week"]?["2026-W10"] != nil)

        let csv = try Self.get(port, "/report?\(Self.query)&format=csv&channel=email", headers: auth)
        let cliCSV = try ws.run(["report", "--format", "csv", "--channel", "email"] + Self.flags, env: Self.env)
        #expect(csv.status == 200 && csv.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(csv.body == cliCSV.stdout)

        // Topic breakdown and filter: the same names as the command's flags.
        let topics = try Self.get(port, "/report?\(Self.query)&format=json&by=topic&topic=vip&topic=billing", headers: auth)
        let cliTopics = try ws.run(["report", "--format", "json"] + Self.flags + ["--by", "topic", "--topic", "vip", "--topic", "billing"],
                                   env: Self.env)
        #expect(topics.status == 200 && topics.body == cliTopics.stdout)
        #expect(try JSONParser.parse(topics.body)["by_topic"]?["vip"] != nil, "\(topics.body.prefix(300))")

        // The scheme is case-insensitive (RFC 7235).
        #expect(try Self.get(port, "/report?format=table&now=2026-04-01", headers: ["Authorization: bearer \(Self.token)"])
            .status == 200)
    }

    @Test func withoutOrWithAWrongTokenTheAnswerIs401AndTheTokenIsNeverLogged() async throws {
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(port: port, protected: true)
        let server = try await ServeTests.serve(ws, log: "serve.log", env: Self.env)
        let missing = try Self.get(port, "/report?\(Self.query)")
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(!missing.body.contains("overall") && !missing.body.contains("<html"))
        for wrong in ["Bearer \(Self.token)x", "Bearer \(Self.token.dropLast())", "Bearer ", "Basic \(Self.token)",
                      Self.token] {
            let answer = try Self.get(port, "/report?format=json&now=2026-04-01", headers: ["Authorization: \(wrong)"])
            #expect(answer.status == 401, "Authorization: \(wrong)")
            #expect(answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            #expect(!answer.body.contains(Self.token))
        }
        // Webhook routes and health stay open.
        #expect(try Self.get(port, "/healthz").status == 200)
        Self.stop(server)
        let log = try String(contentsOf: ws.url("serve.log"), encoding: .utf8)
        #expect(!log.contains(Self.token))
    }

    @Test func badParametersAre400NamingTheParameter() async throws {
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(port: port, protected: true)
        let server = try await ServeTests.serve(ws, log: "serve.log", env: Self.env)
        defer { Self.stop(server) }
        let auth = ["Authorization: Bearer \(Self.token)"]
        let cases: [(String, String)] = [
            ("now=someday", "query parameter now='someday': expected a date (2026-03-01) or an ISO 8601 timestamp"),
            ("by=colour", "query parameter by='colour': expected one of channel"),
            ("channel=pigeon", "query parameter channel='pigeon': expected one of email"),
            ("format=pdf", "query parameter format='pdf': expected one of table, json, csv, html"),
            ("from=2026-03-02&to=2026-03-01", "query parameter to='2026-03-01': must be after from"),
            ("form=2026-03-01", "query parameter form: unknown parameter; expected one of from, to, now, period, by"),
            ("from=2026-03-01&from=2026-03-02", "query parameter from: given more than once"),
        ]
        for (query, message) in cases {
            let answer = try Self.get(port, "/report?\(query)", headers: auth)
            #expect(answer.status == 400, "\(query)")
            #expect(answer.body.hasPrefix(message), "\(query): \(answer.body)")
        }
        // Percent-encoded values are decoded: an offset's + must be sent as %2B.
        let encoded = try Self.get(port, "/report?format=json&now=2026-04-01T15%3A00%3A00%2B03%3A00", headers: auth)
        #expect(encoded.status == 200)
        let cli = try ws.run(["report", "--format", "json", "--now", "2026-04-01T12:00:00Z"], env: Self.env)
        #expect(encoded.body == cli.stdout)
    }

    @Test func withoutAConfiguredTokenTheReportIsOpen() async throws {
        let port = try ServeTests.freePort()
        let ws = try Self.workspace(port: port, protected: false)
        let server = try await ServeTests.serve(ws, log: "serve.log")
        defer { Self.stop(server) }
        let json = try Self.get(port, "/report?\(Self.query)&format=json")
        #expect(json.status == 200)
        let cli = try ws.run(["report", "--format", "json"] + Self.flags)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(json.body == cli.stdout)
        let page = try Self.get(port, "/report?\(Self.query)", headers: ["Authorization: Bearer anything"])
        #expect(page.status == 200)
        #expect(ConversationsServeTests.withoutServedParts(page.body) == (try ws.run(["report", "--format", "html"] + Self.flags)).stdout)
    }
}
