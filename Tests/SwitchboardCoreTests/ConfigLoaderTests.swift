import Foundation
import SwitchboardCore
import Testing

/// A minimal file importer so the loader has a kind with settings to check.
struct SampleImporter: FileImporter {
    struct Settings: Decodable, Sendable {
        var path: String?
        var timezone: String?
        var columns: [String]?
    }
    static let kind = "sample"
    static let summary = "test kind"
    static let settings: [SettingSpec] = [.path, .timezone, SettingSpec("columns", "[string]", "column names")]
    init(name: String, settings: Settings, context: ConnectorContext) throws {
        _ = try context.timeZone(setting: settings.timezone)
    }
    func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {}
}

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([SampleImporter.self]), environment: ["TOKEN": "s3cret"])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    @Test func readsEveryPinnedSection() throws {
        let config = try loader.load(yaml: """
            store: {sqlite: ./data/sb.db}
            timezone: Europe/Moscow
            server: {listen: "127.0.0.1:9090", max_body: 2MiB, report_token: "${TOKEN}"}
            agents:
              - id: anna
                emails: [Anna@Example.com]
                phones: ["301", "SIP/301"]
                handles: {telegram: "123"}
            business_hours:
              weekly: {mon: "09:00-13:00,14:00-18:00", sat: "22:00-06:00", sun: closed}
              holidays: ["2026-01-01"]
            resolution: {idle_after: 48h}
            fcr: {repeat_window: 3d}
            phone: {default_country: ru, short_abandon: 10s}
            targets: {phone: {answer_within: 30s}, frt: {chat: 2m}, fcr: 0.8, csat: 85%}
            privacy: {store_text: false, hash_identities: true}
            connectors:
              - {name: files, kind: sample, path: in/*.txt, timezone: Asia/Irkutsk}
            """, file: file)
        #expect(config.store == .sqlite("./data/sb.db"))
        #expect(config.resolve(path: "./data/sb.db").path == "/etc/switchboard/data/sb.db")
        #expect(config.timeZone.identifier == "Europe/Moscow")
        #expect(config.server.hostAndPort?.port == 9090)
        #expect(config.server.maxBody == 2 * 1_048_576)
        #expect(config.server.reportToken == "s3cret")
        #expect(AgentDirectory(config.agents).agent(email: "anna@example.COM") == "anna")
        #expect(AgentDirectory(config.agents).agent(phone: "SIP/301-0000002a") == "anna")
        #expect(AgentDirectory(config.agents).agent(platform: "telegram", handle: "123") == "anna")
        let bh = try #require(config.businessHours)
        #expect(bh.timeZone.identifier == "Europe/Moscow")
        #expect(bh.weekly[1] == [BusinessInterval(start: 540, end: 780), BusinessInterval(start: 840, end: 1080)])
        #expect(bh.weekly[6] == [BusinessInterval(start: 1320, end: 1800)])
        #expect(bh.weekly[7] == [])
        #expect(bh.holidays == ["2026-01-01"])
        #expect(config.resolutionIdleAfter == 48 * 3600)
        #expect(config.fcrRepeatWindow == 3 * 86400)
        #expect(config.phone.defaultCountry == "RU")
        #expect(config.phone.shortAbandon == 10)
        #expect(config.targets.phoneAnswerWithin == 30)
        #expect(config.targets.frt[.chat] == 120)
        #expect(config.targets.frt[.email] == 86400)
        #expect(config.targets.fcr == 0.8)
        #expect(config.targets.csat == 0.85)
        #expect(config.privacy == PrivacySettings(storeText: false, hashIdentities: true))
        #expect(config.connectors.count == 1)
        #expect(config.connectors[0].path == "in/*.txt")
    }

    @Test func reportsEveryProblemWithLineAndKeyPath() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: """
                timezone: Europe/Moskow
                resolution: {idle_after: soon}
                connectors:
                  - name: files
                    kind: sampel
                  - name: files2
                    kind: sample
                    colums: [a]
                """, file: file)
        }
        #expect(error.problems.count == 4)
        #expect(error.problems.map(\.line) == [1, 2, 5, 8])
        #expect(error.problems[0].keyPath == "timezone")
        #expect(error.problems[1].message.contains("duration"))
        #expect(error.problems[2].message.contains("did you mean 'sample'"))
        #expect(error.problems[3].keyPath == "connectors[1].colums")
        #expect(error.problems[3].message.contains("did you mean 'columns'"))
        #expect(error.description.contains("/etc/switchboard/switchboard.yaml:8:"))
    }

    @Test func unknownTopLevelKeySuggestsTheRightOne() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "bussiness_hours: {}\nconnectors: []\n", file: file)
        }
        #expect(error.problems.count == 1)
        #expect(error.problems[0].message.contains("did you mean 'business_hours'"))
    }

    @Test func missingEnvironmentVariableIsNamedButNeverItsNeighbours() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "server: {report_token: \"${NOT_SET_ANYWHERE}\"}\nconnectors: []\n", file: file)
        }
        #expect(error.problems.count == 1)
        #expect(error.problems[0].message.contains("NOT_SET_ANYWHERE"))
        #expect(error.problems[0].line == 1)
        let ok = try loader.load(yaml: "server: {report_token: \"a$${TOKEN}\"}\n", file: file)
        #expect(ok.server.reportToken == "a${TOKEN}")
    }

    @Test func settingsTypeErrorsAndConnectorErrorsComeFromValidate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("c.yaml")
        try """
            connectors:
              - name: a
                kind: sample
                columns: {x: 1}
              - name: b
                kind: sample
                timezone: Nowhere/Land
            """.write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigError.self) { try loader.validate(file: url) }
        #expect(error.problems.count == 2)
        #expect(error.problems[0].keyPath.hasPrefix("connectors[0].columns"))
        #expect(error.problems[0].line == 4)
        #expect(error.problems[1].message.contains("Nowhere/Land"))
    }

    @Test func duplicateNamesAndYAMLSyntaxErrors() throws {
        let dup = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "connectors:\n  - {name: a, kind: sample}\n  - {name: a, kind: sample}\n", file: file)
        }
        #expect(dup.problems.first?.message.contains("unique") == true)
        let syntax = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "connectors: [\n  - name: a\n", file: file)
        }
        #expect(syntax.problems.first?.line != nil)
    }

    @Test func durationsAndSizes() {
        #expect(ConfigValues.seconds("30s") == 30)
        #expect(ConfigValues.seconds("5m") == 300)
        #expect(ConfigValues.seconds("72h") == 259_200)
        #expect(ConfigValues.seconds("7d") == 604_800)
        #expect(ConfigValues.seconds("1h30m") == 5400)
        #expect(ConfigValues.seconds("500ms") == 0.5)
        #expect(ConfigValues.seconds("5 parsecs") == nil)
        #expect(ConfigValues.bytes("1MiB") == 1_048_576)
        #expect(ConfigValues.bytes("512KiB") == 524_288)
        #expect(ConfigValues.bytes("lots") == nil)
    }
}

/// A kind whose settings hold an id → name map, as `topics:` and `dids:` settings do.
struct MapSettingsImporter: FileImporter {
    struct Settings: Decodable, Sendable {
        var path: String?
        var names: [String: String]?
    }
    static let kind = "mapped"
    static let summary = "test kind with a map setting"
    static let settings: [SettingSpec] = [.path, SettingSpec("names", "{string: string}", "id → name")]
    let names: [String: String]
    init(name: String, settings: Settings, context: ConnectorContext) throws { names = settings.names ?? [:] }
    func importFiles(_ urls: [URL], into sink: any IngestSink) async throws {}
}

@Suite struct ConnectorSettingsKeyTests {
    @Test func quotedKeysThatLookLikeNumbersAreRead() throws {
        let loader = ConfigLoader(registry: ConnectorRegistry([MapSettingsImporter.self]), environment: [:])
        let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")
        let config = try loader.load(yaml: """
            connectors:
              - name: m
                kind: mapped
                names: {"104882915872119": shop, 104882915872120: other, "+74950000001": billing, "2026-03-01": day, "yes": y}
            """, file: file)
        let made = try loader.registry.make(config.connectors[0], context: ConnectorContext(config: config))
        let names = try #require(made as? MapSettingsImporter).names
        #expect(names == ["104882915872119": "shop", "104882915872120": "other", "+74950000001": "billing", "2026-03-01": "day",
                          "yes": "y"])
    }
}
