import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardStore

/// `switchboard migrate --to postgres://…` — copies the SQLite store into PostgreSQL.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a SQLite store (interactions, checkpoints, dead letters, runs, report sends, alerts, credentials) into PostgreSQL.",
        discussion: """
            Safe to run again: what is already in PostgreSQL is kept and not doubled. Afterwards point \
            `store:` at the PostgreSQL URL.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Target PostgreSQL URL (postgres://user:password@host:5432/database).")
    var to: String

    @Option(name: .long, help: "The SQLite file to copy (default: store.sqlite of the config).")
    var from: String?

    func run() async throws {
        ShownSecrets.add(Redaction.passwordForms(in: to))
        let path: String
        if let from {
            path = from
        } else {
            let rt = try Runtime(options: global)
            guard case .sqlite(let configured) = rt.config.store else {
                throw UsageFailure("\(rt.config.file.path): store is not SQLite; give the file to copy with --from PATH")
            }
            path = rt.config.resolve(path: configured).path
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageFailure("no SQLite store at \(path); give the file to copy with --from PATH")
        }
        let source = try SQLiteStore(path: path)
        let target = try await PostgresStore.open(url: to)
        defer { target.close() }
        let quiet = global.quiet || global.json || !Terminal.isInteractive
        let result = try await StoreCopy.copy(from: source, to: target) { n in
            if !quiet { FileHandle.standardError.write(Data("\rcopied \(n) interactions   ".utf8)) }
        }
        Terminal.clearProgress(quiet: quiet)
        if global.json {
            print(Terminal.json(["interactions": result.interactions, "already_there": result.alreadyThere,
                                 "checkpoints": result.checkpoints, "dead_letters": result.deadLetters, "runs": result.runs,
                                 "report_sends": result.reportSends, "alerts": result.alerts, "alert_notices": result.alertNotices,
                                 "credentials": result.credentials]))
        } else {
            print("migrated \(path) → \(target.location.redacted): \(result.interactions) interactions new, "
                  + "\(result.alreadyThere) already there, \(result.checkpoints) checkpoints, "
                  + "\(result.deadLetters) dead letters, \(result.runs) runs, \(result.reportSends) report sends, "
                  + "\(result.alerts) alerts, \(result.alertNotices) alert notices, \(result.credentials) credentials")
        }
    }
}
