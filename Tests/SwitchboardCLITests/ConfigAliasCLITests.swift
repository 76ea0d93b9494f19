import Foundation
import Testing

/// A YAML "billion laughs" config (nested aliases) is refused at once, naming its line, with
/// `check` staying small and quick instead of expanding it.
@Suite(.serialized) struct ConfigAliasCLITests {
    /// Ten levels of ten aliases each: 10^10 values once expanded, from a dozen lines.
    static func billionLaughs(aliasAsKey: Bool) -> String {
        var lines = ["store: {sqlite: ./sb.db}", "connectors: []", "laughs:",
                     "  l0: &l0 [" + Array(repeating: "\"lol\"", count: 10).joined(separator: ", ") + "]"]
        for level in 1..<10 {
            lines.append("  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines.append(aliasAsKey ? "  boom: {*l9 : 1}" : "  boom: *l9")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [false, true]) func billionLaughsIsAClearErrorInLittleTimeAndMemory(aliasAsKey: Bool) throws {
        let ws = try Workspace(config: Self.billionLaughs(aliasAsKey: aliasAsKey))
        let run = try PeakMemory.run(["check", "--config", ws.url("switchboard.yaml").path], timeout: .seconds(20))
        #expect(!run.timedOut, "check ran for \(run.seconds) s")
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("switchboard.yaml:4:"), "\(run.output)")
        #expect(run.output.contains("anchors and aliases (&name, *name) are not allowed"), "\(run.output)")
        #expect(run.maxResidentMiB < 512, "check peaked at \(run.maxResidentMiB) MiB")
        #expect(run.seconds < 10)
    }
}
