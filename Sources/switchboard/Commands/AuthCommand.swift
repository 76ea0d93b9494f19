import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard auth SOURCE` — the provider's sign-in for a mailbox with `auth.oauth2`; the refresh
/// token it yields is sealed with `token_key` and kept in the store.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign a mailbox with auth.oauth2 in (Microsoft: device code; Google: browser with PKCE) and keep its refresh token in the store.",
        discussion: """
            Prints what to open and type, waits for the sign-in (--timeout), then stores the refresh token sealed \
            with auth.oauth2.token_key, where every pull and every instance on the same store finds it. \
            See connectors/email/README.md for setting up the app at Google or Microsoft.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connector name from the config (an imap source with auth.oauth2).")
    var source: String

    @Option(name: .long, help: "How long to wait for the sign-in to be completed, e.g. 90s or 10m (default 5m).")
    var timeout: String = "5m"

    func validate() throws {
        guard let s = ConfigValues.seconds(timeout), s > 0 else {
            throw ValidationError("--timeout '\(timeout)': expected a duration such as 90s or 10m")
        }
    }

    func run() async throws {
        let rt = try Runtime(options: global)
        let entry = try rt.entry(named: source)
        guard let authorizable = try rt.make(entry) as? any AuthorizableSource else {
            throw UsageFailure("\(source) is of kind \(entry.kind), which has no sign-in; `switchboard auth` is for imap sources with auth.oauth2")
        }
        _ = try await rt.openStore()
        let prompt = AuthorizationPrompt(timeout: ConfigValues.seconds(timeout) ?? 300) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        do {
            let summary = try await authorizable.authorize(prompt)
            FileHandle.standardOutput.write(Data((summary + "\n").utf8))
        } catch let error as ConnectorError where error.code == .settings {
            throw UsageFailure(error.message)
        }
    }
}
