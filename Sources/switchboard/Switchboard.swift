import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardServer

/// `switchboard` — the command-line entry point.
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Collect every customer contact into one store and compute support KPIs on it.",
        subcommands: [
            ConnectorsCommand.self, CheckCommand.self, ImportCommand.self, PullCommand.self, ReportCommand.self,
            ExplainCommand.self, DeadLettersCommand.self, DemoCommand.self, ServeCommand.self, StatusCommand.self,
            MigrateCommand.self, TopicsCommand.self, ReportsCommand.self, AuthCommand.self, ConversationsCommand.self,
            AlertsCommand.self,
        ]
    )
}

/// Entry point: exit codes 0 ok, 1 runtime failure, 2 usage or configuration error.
@main
enum Main {
    static func main() async {
        EventLoopThreads.followAffinity()
        let code: Int32
        do {
            var command = try Switchboard.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let error as ConfigError {
            Terminal.error(error.description)
            code = 2
        } catch let error as UsageFailure {
            Terminal.error(error.message)
            code = 2
        } catch let error as RunFailure {
            if !error.message.isEmpty { Terminal.error(error.message) }
            code = 1
        } catch let error as StoreError {
            Terminal.error(error.description)
            code = 1
        } catch let error as ConnectorError {
            Terminal.error(error.description)
            code = 1
        } catch {
            let exit = Switchboard.exitCode(for: error)
            let message = Switchboard.fullMessage(for: error)
            if exit == .success {
                if !message.isEmpty { print(message) }
                code = 0
            } else if exit == .validationFailure {
                Terminal.error(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
                code = 2
            } else {
                if !message.isEmpty { Terminal.error(message) }
                code = exit.rawValue == 0 ? 0 : 1
            }
        }
        exit(code)
    }
}

/// A usage or configuration mistake (exit 2).
struct UsageFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A runtime failure (exit 1); the message may be empty when already printed.
struct RunFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
