import Foundation
import Logging
import Yams

/// Loads `switchboard.yaml`: YAML → `${ENV}` interpolation → typed, validated
/// ``SwitchboardConfig``. Every problem is reported at once (``ConfigError``).
public struct ConfigLoader {
    public var registry: ConnectorRegistry
    public var environment: [String: String]
    /// Further checks ``validate(file:)`` runs on a loaded config, their problems reported with the connectors'
    /// (the CLI adds the notification destinations and the scheduled reports' options).
    public var checks: [@Sendable (SwitchboardConfig) -> [ConfigProblem]] = []

    static let topKeys = ["store", "timezone", "server", "agents", "customers", "business_hours", "targets",
                          "resolution", "fcr", "phone", "privacy", "topics", "connectors", "notifications", "reports", "alerts"]
    static let commonConnectorKeys = ["name", "kind", "enabled", "schedule"]

    public init(registry: ConnectorRegistry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.registry = registry
        self.environment = environment
    }

    /// Reads and validates a config file.
    /// - Throws: ``ConfigError`` listing every problem with file:line:column and key path.
    public func load(file: URL) throws -> SwitchboardConfig {
        let display = file.path
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ConfigError(problems: [ConfigProblem(file: display, line: nil, column: nil, keyPath: "",
                message: "cannot read the config file: create it (see config/switchboard.example.yaml) or pass --config PATH")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(problems: [ConfigProblem(file: display, line: nil, column: nil, keyPath: "",
                                                       message: "the config file is not UTF-8 text")])
        }
        return try load(yaml: text, file: file)
    }

    /// Validates config text as if it were the file `file`.
    public func load(yaml text: String, file: URL) throws -> SwitchboardConfig {
        let display = file.path
        let reader = NodeReader(file: display)
        if let alias = YAMLAliasGuard.scan(text) {
            throw ConfigError(problems: [ConfigProblem(file: display, line: alias.line, column: alias.column, keyPath: "",
                                                       message: "\(alias.text): \(YAMLAliasGuard.message)")])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(problems: [ConfigProblem(file: display, line: 1, column: 1, keyPath: "",
                    message: "the config file is empty: it needs at least a `connectors:` list")])
            }
            root = node
        } catch let error as YamlError {
            throw ConfigError(problems: [Self.problem(from: error, file: display)])
        }
        if let anchored = YAMLAliasGuard.firstAnchor(in: root) {
            throw ConfigError(problems: [ConfigProblem(file: display, line: anchored.mark?.line, column: anchored.mark?.column,
                                                       keyPath: "", message: "&\(anchored.anchor?.rawValue ?? ""): \(YAMLAliasGuard.message)")])
        }
        let node = reader.interpolate(root, "", env: environment)
        var config = SwitchboardConfig(file: file.standardizedFileURL)
        read(node, into: &config, reader: reader)
        guard reader.problems.isEmpty else {
            // The further checks run on what could be read, so `check` reports their problems in the same pass.
            throw ConfigError(problems: Self.ordered(reader.problems + checks.flatMap { $0(config) }))
        }
        do {
            config.topicRules = try TopicRules(config.topics)
        } catch let error as TopicRuleError {   // checked by TopicsReader already; kept as a config problem
            throw ConfigError(problems: [ConfigProblem(file: display, line: error.line, column: nil, keyPath: "topics",
                                                       message: error.description)])
        }
        return config
    }

    /// Loads a config and also builds every enabled connector, so settings errors
    /// of each kind are reported (what `switchboard check` runs).
    public func validate(file: URL) throws -> SwitchboardConfig {
        let config = try load(file: file)
        var problems: [ConfigProblem] = []
        let context = ConnectorContext(config: config)
        for entry in config.connectors {
            do { _ = try registry.make(entry, context: context, file: file.path) }
            catch let error as ConfigError { problems += error.problems }
        }
        for check in checks { problems += check(config) }
        guard problems.isEmpty else { throw ConfigError(problems: Self.ordered(problems)) }
        return config
    }

    /// Problems in file order.
    static func ordered(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated().sorted { a, b in
            let la = (a.element.line ?? 0, a.element.column ?? 0), lb = (b.element.line ?? 0, b.element.column ?? 0)
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
    }

    static func problem(from error: YamlError, file: String) -> ConfigProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigProblem(file: file, line: mark.line, column: mark.column, keyPath: "", message: "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigProblem(file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                                 message: "duplicated keys: \(duplicates.joined(separator: ", "))")
        default:
            return ConfigProblem(file: file, line: nil, column: nil, keyPath: "", message: "YAML: \(error)")
        }
    }

    private func read(_ root: Node, into c: inout SwitchboardConfig, reader r: NodeReader) {
        guard let top = r.mapping(root, "", known: Self.topKeys) else { return }
        for (key, node, _) in top {
            switch key {
            case "store": readStore(node, &c, r)
            case "timezone": if let tz = r.timeZone(node, key) { c.timeZone = tz }
            case "server": readServer(node, &c, r)
            case "agents": c.agents = AgentsReader.read(node, r)
            case "customers":
                for (k, v, _) in r.mapping(node, key, known: ["links"]) ?? [] where k == "links" {
                    c.customerLinks = r.string(v, "customers.links")
                }
            case "business_hours", "topics", "notifications", "reports", "alerts": break   // read after timezone / connectors, below
            case "targets": readTargets(node, &c, r)
            case "resolution":
                for (_, v, _) in r.mapping(node, key, known: ["idle_after"]) ?? [] {
                    if let d = r.duration(v, "resolution.idle_after") { c.resolutionIdleAfter = d }
                }
            case "fcr":
                for (_, v, _) in r.mapping(node, key, known: ["repeat_window"]) ?? [] {
                    if let d = r.duration(v, "fcr.repeat_window") { c.fcrRepeatWindow = d }
                }
            case "phone": readPhone(node, &c, r)
            case "privacy":
                for (k, v, _) in r.mapping(node, key, known: ["store_text", "hash_identities"]) ?? [] {
                    guard let b = r.bool(v, "privacy.\(k)") else { continue }
                    if k == "store_text" { c.privacy.storeText = b } else { c.privacy.hashIdentities = b }
                }
            case "connectors": readConnectors(node, &c, r)
            default: break
            }
        }
        if let bh = top.first(where: { $0.key == "business_hours" }) {
            c.businessHours = BusinessHoursReader.read(bh.node, defaultZone: c.timeZone, r)
        }
        if let topics = top.first(where: { $0.key == "topics" }) {
            c.topics = TopicsReader.read(topics.node, connectors: c.connectors.map(\.name), r)
        }
        if let notifications = top.first(where: { $0.key == "notifications" }) {
            c.notifications = NotificationsReader.read(notifications.node, r)
        }
        if let reports = top.first(where: { $0.key == "reports" }) {
            c.reports = ReportsReader.read(reports.node, destinations: c.notifications.map(\.name), r)
        }
        if let alerts = top.first(where: { $0.key == "alerts" }) {
            c.alerts = AlertsReader.read(alerts.node, .init(destinations: c.notifications.map(\.name), sources: c.connectors.map(\.name),
                                                            scheduled: c.connectors.filter { $0.enabled && $0.scheduleRule != nil }.map(\.name),
                                                            frtTargets: c.targets.frt, hasBusinessHours: c.businessHours != nil), r)
        }
    }

    private func readStore(_ node: Node, _ c: inout SwitchboardConfig, _ r: NodeReader) {
        let members = r.mapping(node, "store", known: ["sqlite", "postgres"]) ?? []
        if members.count > 1 { r.problem(node, "store", "give either sqlite or postgres, not both") }
        for (k, v, _) in members {
            guard let s = r.string(v, "store.\(k)") else { continue }
            if k == "sqlite" { c.store = .sqlite(s) }
            else if s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") { c.store = .postgres(s) }
            else { r.problem(v, "store.postgres", "expected a postgres://user:password@host:port/database URL") }
        }
    }

    private func readServer(_ node: Node, _ c: inout SwitchboardConfig, _ r: NodeReader) {
        let known = ["listen", "max_body", "report_token", "max_connections", "body_memory", "idle_timeout",
                     "header_timeout", "body_timeout"]
        var bodyMemoryNode: Node?
        for (k, v, _) in r.mapping(node, "server", known: known) ?? [] {
            switch k {
            case "listen":
                guard let s = r.string(v, "server.listen") else { continue }
                c.server.listen = s
                if c.server.hostAndPort == nil { r.problem(v, "server.listen", "expected host:port such as 127.0.0.1:8080") }
            case "max_body": if let b = r.size(v, "server.max_body") { c.server.maxBody = b }
            case "max_connections":
                guard let text = r.string(v, "server.max_connections") else { continue }
                if let n = Int(text), n > 0 { c.server.maxConnections = n }
                else { r.problem(v, "server.max_connections", "expected a whole number above 0 such as 4096, got '\(text)'") }
            case "body_memory":
                bodyMemoryNode = v
                if let b = r.size(v, "server.body_memory") { c.server.bodyMemory = b }
            case "idle_timeout", "header_timeout", "body_timeout":
                guard let s = r.duration(v, "server.\(k)") else { continue }
                guard s > 0 else { r.problem(v, "server.\(k)", "expected a duration above zero such as 10s"); continue }
                if k == "idle_timeout" { c.server.idleTimeout = s }
                else if k == "header_timeout" { c.server.headerTimeout = s }
                else { c.server.bodyTimeout = s }
            default: c.server.reportToken = r.string(v, "server.report_token")
            }
        }
        if c.server.bodyMemory < c.server.maxBody {
            r.problem(bodyMemoryNode ?? node, "server.body_memory",
                      "must be at least server.max_body (\(c.server.maxBody) bytes), or no body of the largest allowed size could be received")
        }
    }

    private func readPhone(_ node: Node, _ c: inout SwitchboardConfig, _ r: NodeReader) {
        for (k, v, _) in r.mapping(node, "phone", known: ["default_country", "short_abandon", "shrinkage", "recovery_window", "stages"]) ?? [] {
            if k == "stages" {
                c.phone.stages = PhoneStagesReader.read(v, r)
            } else if k == "short_abandon" {
                if let d = r.duration(v, "phone.short_abandon") { c.phone.shortAbandon = d }
            } else if k == "shrinkage" {
                if let f = r.fraction(v, "phone.shrinkage") {
                    if f < 1 { c.phone.shrinkage = f }
                    else { r.problem(v, "phone.shrinkage", "must be below 100%: with every hour lost to shrinkage no number of agents is enough") }
                }
            } else if k == "recovery_window" {
                if let d = r.duration(v, "phone.recovery_window") {
                    if d > 0 { c.phone.recoveryWindow = d }
                    else { r.problem(v, "phone.recovery_window", "must be longer than 0s: how long after a lost call a callback or a return still counts, such as 24h") }
                }
            } else if let s = r.string(v, "phone.default_country") {
                if PhoneNumber.isKnownCountry(s) { c.phone.defaultCountry = s.uppercased() }
                else { r.problem(v, "phone.default_country", "unknown country '\(s)': expected an ISO 3166-1 two-letter code with a calling code, such as RU, US, KR") }
            }
        }
    }

    private func readTargets(_ node: Node, _ c: inout SwitchboardConfig, _ r: NodeReader) {
        for (k, v, _) in r.mapping(node, "targets", known: ["phone", "frt", "fcr", "csat"]) ?? [] {
            switch k {
            case "phone":
                for (pk, d, _) in r.mapping(v, "targets.phone", known: ["answer_within", "service_level"]) ?? [] {
                    if pk == "service_level" {
                        if let f = r.fraction(d, "targets.phone.service_level") {
                            if f > 0 && f < 1 { c.targets.phoneServiceLevel = f }
                            else { r.problem(d, "targets.phone.service_level", "must be above 0 and below 1 (such as 0.80 or 80%): no number of agents answers every call in time") }
                        }
                    } else if let s = r.duration(d, "targets.phone.answer_within") { c.targets.phoneAnswerWithin = s }
                }
            case "frt":
                let channels = Channel.allCases.map(\.rawValue)
                for (ch, d, _) in r.mapping(v, "targets.frt", known: channels) ?? [] {
                    if let s = r.duration(d, "targets.frt.\(ch)"), let channel = Channel(rawValue: ch) { c.targets.frt[channel] = s }
                }
            case "fcr": if let f = r.fraction(v, "targets.fcr") { c.targets.fcr = f }
            default: if let f = r.fraction(v, "targets.csat") { c.targets.csat = f }
            }
        }
    }

    private func readConnectors(_ node: Node, _ c: inout SwitchboardConfig, _ r: NodeReader) {
        guard let seq = node.sequence else {
            r.problem(node, "connectors", "expected a list of connector entries (- name: …, kind: …)")
            return
        }
        var seen: Set<String> = []
        for (index, item) in seq.enumerated() {
            let path = "connectors[\(index)]"
            guard let map = item.mapping else {
                r.problem(item, path, "expected a mapping with name and kind")
                continue
            }
            let kindName = map["kind"]?.string
            let kind = kindName.flatMap { registry.kind($0) }
            var entry = ConnectorEntry(name: "", kind: kindName ?? "", enabled: true, schedule: nil,
                                       settings: .mapping(Node.Mapping([])), path: nil, line: item.mark?.line, index: index)
            var settingPairs: [(Node, Node)] = []
            for (k, v) in map {
                guard let key = k.string else { continue }
                switch key {
                case "name":
                    guard let n = r.string(v, "\(path).name") else { continue }
                    if n.isEmpty || n.contains(where: { !($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                        r.problem(v, "\(path).name", "a source name may hold letters, digits, '-', '_' and '.' only (it appears in URLs)")
                    } else if !seen.insert(n).inserted {
                        r.problem(v, "\(path).name", "the name '\(n)' is used by another connector; names must be unique")
                    }
                    entry.name = n
                case "kind":
                    if kind == nil, let kn = kindName {
                        r.problem(v, "\(path).kind", "unknown kind '\(kn)'\(Suggestion.hint(for: kn, in: registry.names)); known kinds: \(registry.names.joined(separator: ", "))")
                    }
                case "enabled": entry.enabled = r.bool(v, "\(path).enabled") ?? true
                case "schedule":
                    entry.schedule = r.string(v, "\(path).schedule")
                    if let text = entry.schedule {
                        do { entry.scheduleRule = try Schedule(text) }
                        catch let error as ScheduleError { r.problem(v, "\(path).schedule", error.message) }
                        catch { r.problem(v, "\(path).schedule", "\(error)") }
                    }
                    if let info = kind, !info.roles.contains(.pull) {
                        r.problem(v, "\(path).schedule", "kind \(info.kind) is not a pull source; schedule applies to pull sources only")
                    }
                default:
                    if let info = kind {
                        let known = info.settings.map(\.key)
                        if !known.contains(key) {
                            r.problem(k, "\(path).\(key)", "unknown setting for kind \(info.kind)\(Suggestion.hint(for: key, in: known + Self.commonConnectorKeys)); known settings: \(known.joined(separator: ", "))")
                            continue
                        }
                    }
                    if key == "path" { entry.path = v.string }
                    settingPairs.append((k, v))
                }
            }
            if entry.name.isEmpty && map["name"] == nil { r.problem(item, "\(path).name", "every connector needs a name") }
            if kindName == nil { r.problem(item, "\(path).kind", "every connector needs a kind; known kinds: \(registry.names.joined(separator: ", "))") }
            if let k = kind {
                for spec in k.settings where spec.required && map[spec.key] == nil {
                    r.problem(item, "\(path).\(spec.key)", "required setting of kind \(k.kind) is missing: \(spec.doc)")
                }
            }
            entry.settings = .mapping(Node.Mapping(settingPairs, map.tag, map.style, map.mark))
            c.connectors.append(entry)
        }
    }
}

extension ConnectorContext {
    /// The context every connector of a config gets.
    public init(config: SwitchboardConfig, logger: Logger = Logger(label: "switchboard")) {
        self.init(timeZone: config.timeZone, agents: AgentDirectory(config.agents), phone: config.phone,
                  baseDirectory: config.baseDirectory, logger: logger)
    }
}
