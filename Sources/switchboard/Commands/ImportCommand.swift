import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard import SOURCE [PATH…]` — one-shot, idempotent backfill.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import files through a configured file-importer source (idempotent: repeats store nothing new).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connector name from the config.")
    var source: String

    @Argument(help: "Files, folders or globs (default: the source's configured path).")
    var paths: [String] = []

    @Flag(name: .long, help: "Exit 1 when any record was dead-lettered.")
    var strict = false

    func run() async throws {
        ImportMemory.limitArenas()
        ScratchFolder.removeStale()   // what killed imports left in the temporary directory
        let rt = try Runtime(options: global)
        let entry = try rt.entry(named: source)
        guard let importer = try rt.make(entry) as? any FileImporter else {
            let kinds = connectorRegistry.kinds.filter { $0.roles.contains(.file) }.map(\.kind)
            throw UsageFailure("\(source) is of kind \(entry.kind), which does not import files; file importer kinds: \(kinds.joined(separator: ", "))")
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let urls: [URL] = paths.isEmpty
            ? entry.path.map { [rt.config.resolve(path: $0)] } ?? []
            : paths.map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : cwd.appendingPathComponent($0).standardizedFileURL }
        guard !urls.isEmpty else {
            throw UsageFailure("\(source): nothing to import: give a PATH or set `path:` for this connector in \(rt.config.file.path)")
        }
        let store = try await rt.openStore()
        let runner = IngestRunner(store: store, policy: rt.config.ingestPolicy, quiet: global.quiet || global.json)
        let summary = try await runner.run(source: source, mode: "import") { sink in
            try await importer.importFiles(urls, into: sink)
        }
        SummaryOutput.print([summary], json: global.json)
        if strict && summary.deadLetters > 0 {
            throw RunFailure("\(summary.deadLetters) record(s) were dead-lettered (--strict); see `switchboard dead-letters list --source \(source)`")
        }
    }
}
