import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard report` — for now, stored interaction counts per source, channel, kind and day.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Counts of stored interactions per source, channel, kind and day.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "table or json.")
    var format: String = "table"

    func validate() throws {
        guard ["table", "json"].contains(format) else {
            throw ValidationError("--format must be table or json, not '\(format)'")
        }
    }

    func run() async throws {
        let rt = try Runtime(options: global)
        let counts = try await CountsReport.build(store: rt.openStore(), timeZone: rt.config.timeZone)
        print(format == "json" || global.json ? counts.json : counts.table)
    }
}

/// Interaction counts by source, channel, kind and local day.
struct CountsReport: Encodable {
    var schema = "switchboard.counts/v1"
    var timezone: String
    var total = 0
    var bySource: [String: Int] = [:]
    var byChannel: [String: Int] = [:]
    var byKind: [String: Int] = [:]
    var byDay: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case schema, timezone, total
        case bySource = "by_source", byChannel = "by_channel", byKind = "by_kind", byDay = "by_day"
    }

    static func build(store: any InteractionStore, timeZone: TimeZone) async throws -> CountsReport {
        final class Box: @unchecked Sendable { var report: CountsReport; init(_ r: CountsReport) { report = r } }
        let box = Box(CountsReport(timezone: timeZone.identifier))
        try await store.scan(InteractionQuery(order: .time)) { i in
            box.report.total += 1
            box.report.bySource[i.source, default: 0] += 1
            box.report.byChannel[i.channel.rawValue, default: 0] += 1
            box.report.byKind[i.kind.rawValue, default: 0] += 1
            let local = Int(i.occurredAt.timeIntervalSince1970) + timeZone.secondsFromGMT(for: i.occurredAt)
            let (y, m, d) = Timestamp.civilFromDays(Int((Double(local) / 86400).rounded(.down)))
            box.report.byDay[String(format: "%04d-%02d-%02d", y, m, d), default: 0] += 1
        }
        return box.report
    }

    var json: String { Terminal.json(self) }

    var table: String {
        var lines = ["Stored interactions: \(total)  (days in \(timezone))"]
        for (title, counts) in [("source", bySource), ("channel", byChannel), ("kind", byKind), ("day", byDay)] {
            lines.append("")
            lines.append("by \(title)")
            let width = max(12, counts.keys.map(\.count).max() ?? 0)
            for key in counts.keys.sorted() {
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(counts[key]!))
            }
            if counts.isEmpty { lines.append("  (no data)") }
        }
        return lines.joined(separator: "\n")
    }
}
