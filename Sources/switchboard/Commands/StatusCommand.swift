import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SwitchboardCore
import SwitchboardScheduler

/// `switchboard status` — asks the running `switchboard serve` for its scheduled pulls.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the scheduled pulls of the running `switchboard serve` (GET /status at server.listen).",
        discussion: "Per source: last run start and end, result, counts, next run, consecutive failures, last error.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Server address HOST:PORT or URL (default: server.listen from the config).")
    var server: String?

    func run() async throws {
        let base: String
        var timeZone = TimeZone(identifier: "UTC")!
        if let server {
            base = server.contains("://") ? server : "http://\(server)"
        } else {
            let rt = try Runtime(options: global)
            guard let (host, port) = rt.config.server.hostAndPort else {
                throw UsageFailure("server.listen: '\(rt.config.server.listen)' is not HOST:PORT")
            }
            // A server listening on every address is reached on loopback.
            let reach = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
            base = "http://\(reach):\(port)"
            timeZone = rt.config.timeZone
        }
        guard let url = URL(string: base.hasSuffix("/") ? base + "status" : base + "/status") else {
            throw UsageFailure("--server '\(base)' is not a HOST:PORT or URL")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let data: Data
        do {
            let (body, response) = try await URLSession.shared.data(for: request)
            let code = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard code == 200 else {
                throw RunFailure("\(url.absoluteString) answered HTTP \(code): is it a switchboard serve of this version?")
            }
            data = body
        } catch let failure as RunFailure {
            throw failure
        } catch {
            throw RunFailure("cannot reach switchboard serve at \(url.absoluteString) (\(error.localizedDescription)): is it running? Start it with `switchboard serve`, or pass --server HOST:PORT")
        }
        let status: SchedulerStatus
        do { status = try SchedulerStatus.decode(data) }
        catch { throw RunFailure("\(url.absoluteString) did not answer with the status JSON: \(error)") }
        if global.json {
            print(String(decoding: status.json(), as: UTF8.self))
        } else {
            let zone = status.timezone.isEmpty ? timeZone : TimeZone(identifier: status.timezone) ?? timeZone
            print(StatusTable.render(status, timeZone: zone) + ReportStatusTable.render(status.reports, timeZone: zone)
                  + AlertStatusTable.render(status.alerts, timeZone: zone))
        }
    }
}

/// The terminal table of `switchboard status`.
enum StatusTable {
    static func render(_ status: SchedulerStatus, timeZone: TimeZone) -> String {
        guard !status.sources.isEmpty else {
            return "no scheduled pulls: give a pull source `schedule: \"every 5m\"` (or a cron expression) and restart serve"
        }
        let header = ["SOURCE", "KIND", "SCHEDULE", "LAST START", "LAST END", "RESULT", "READ", "STORED", "DUP", "REJ",
                      "NEXT RUN", "FAILS", "LAST ERROR"]
        var rows = [header]
        for s in status.sources {
            let run = s.lastRun
            rows.append([
                s.source, s.kind, s.schedule,
                run.map { time($0.startedAt, timeZone) } ?? "-",
                run?.finishedAt.map { time($0, timeZone) } ?? (s.running ? "running" : "-"),
                s.running ? "running" : run?.result?.rawValue ?? "-",
                run.map { "\($0.read)" } ?? "-", run.map { "\($0.stored)" } ?? "-",
                run.map { "\($0.duplicates)" } ?? "-", run.map { "\($0.rejected)" } ?? "-",
                s.nextRunAt.map { time($0, timeZone) } ?? "-",
                "\(s.consecutiveFailures)",
                s.lastError.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 } ?? "-",
            ])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        lines.append("times in \(timeZone.identifier)")
        return lines.joined(separator: "\n")
    }

    /// `2026-03-02 12:05:00` in the zone.
    static func time(_ date: Date, _ zone: TimeZone) -> String {
        let shifted = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let days = Int((Double(shifted) / 86400).rounded(.down))
        let c = Timestamp.civilFromDays(days)
        let rem = shifted - days * 86400
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year)-\(pad(c.month))-\(pad(c.day)) \(pad(rem / 3600)):\(pad(rem / 60 % 60)):\(pad(rem % 60))"
    }
}
