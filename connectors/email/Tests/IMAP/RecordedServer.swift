import Foundation
import SwitchboardCore
@testable import EmailConnectors

/// An IMAP server played back from recorded responses (Tests/Fixtures/<folder>/<command>.imap: the
/// untagged lines a server sent, CRLF and literals as on the wire); the tagged `OK` is added.
/// Records the commands it was sent.
final class RecordedServer: IMAPTransport {
    /// Command prefix → fixture file name.
    static let files = [("CAPABILITY", "capability"), ("LIST", "list"), ("EXAMINE", "examine"),
                        ("UID SEARCH", "uid-search"), ("UID FETCH", "uid-fetch")]
    private var responses: [(prefix: String, bytes: [UInt8])] = []
    private var output: [UInt8] = []
    private var position = 0
    private(set) var commands: [String] = []

    /// - Parameter replacing: responses given inline instead of the recorded ones (command prefix → untagged lines).
    init(folder: String, replacing: [String: String] = [:]) throws {
        for (prefix, file) in Self.files {
            if let text = replacing[prefix] {
                responses.append((prefix, Array(text.utf8)))
            } else {
                responses.append((prefix, try Fixture.bytes("\(folder)/\(file).imap")))
            }
        }
    }

    func send(_ bytes: [UInt8]) throws {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw IMAPError.protocolError("bad command line \(line)") }
        let (tag, command) = (parts[0], parts[1])
        commands.append(command)
        if command == "LOGOUT" { return }
        if let r = responses.first(where: { command.hasPrefix($0.prefix) }) {
            output += r.bytes
            output += Array("\(tag) OK Success\r\n".utf8)
        } else {
            output += Array("\(tag) BAD Unknown command\r\n".utf8)
        }
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < output.count else { throw IMAPError.connectionLost("the recording ended") }
        // A few bytes at a time: responses and literals arrive split, as over a network.
        let n = min(buffer.count, output.count - position, 97)
        for k in 0..<n { buffer[k] = output[position + k] }
        position += n
        return n
    }

    func close() {}
}

/// A sink that keeps what it is given.
actor CollectingSink: IngestSink {
    nonisolated let source: String
    private(set) var accepted: [Interaction] = []
    private(set) var rejected: [String] = []
    private(set) var checkpoints: [Checkpoint] = []

    init(source: String) { self.source = source }

    func accept(_ interaction: Interaction) async throws { accepted.append(interaction) }
    func reject(reason: String, provenance: String, raw: Data) async throws { rejected.append(reason) }
    func checkpoint(_ checkpoint: Checkpoint) async throws { checkpoints.append(checkpoint) }
}
