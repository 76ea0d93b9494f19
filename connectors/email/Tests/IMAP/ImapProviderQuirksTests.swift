import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing
@testable import EmailConnectors

/// Provider quirks at unit level: LIST parsing, which mailboxes are read, Gmail's X-GM-MSGID and
/// labels (a recorded Gmail session in a Russian locale), throttling answers.
@Suite("imap provider quirks")
struct ImapProviderQuirksTests {
    static func response(_ text: String, literals: [String] = []) -> IMAPResponse {
        IMAPResponse(text: Array(text.utf8), literals: literals.map { Array($0.utf8) })
    }

    static func gmail(_ extra: String = "") throws -> ImapSource {
        try ImapSource(name: "gmail", settings: ConnectorHarness.settings(for: ImapSource.self, yaml: """
            url: "imaps://imap.gmail.com:993"
            username: support@acme.example
            password: secret
            \(extra)
            """), context: ConnectorContext())
    }

    @Test("LIST responses: quoted, atom and literal names, NIL and escaped delimiters, extended data")
    func listParsing() throws {
        let sent = try #require(MailboxList.parse(Self.response(#"* LIST (\HasNoChildren \Sent) "/" &BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"#)))
        #expect(sent.name == "Отправленные" && sent.wire == "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-")
        #expect(sent.specialUse == ["\\Sent"] && sent.delimiter == "/" && sent.selectable)
        let quoted = try #require(MailboxList.parse(Self.response(#"* list (\all \HasNoChildren) "." "[Gmail].All \"Mail\"" ("CHILDINFO" ("SUBSCRIBED"))"#)))
        #expect(quoted.wire == "[Gmail].All \"Mail\"" && quoted.specialUse == ["\\All"] && quoted.delimiter == ".")
        let literal = try #require(MailboxList.parse(Self.response(#"* LIST () "\\" {12}"#, literals: ["Sent Items 2"])))
        #expect(literal.name == "Sent Items 2" && literal.delimiter == "\\" && literal.attributes.isEmpty)
        let root = try #require(MailboxList.parse(Self.response(#"* LIST (\Noselect) NIL """#)))
        #expect(root.wire == "" && root.delimiter == nil && !root.selectable)
        #expect(MailboxList.parse(Self.response("* LSUB () \"/\" INBOX")) == nil)
        #expect(MailboxList.parse(Self.response("* 3 EXISTS")) == nil)
        for junk in ["* LIST", "* LIST (", "* LIST (\\Sent", "* LIST () \"/", "* LIST () {5}"] {
            _ = MailboxList.parse(Self.response(junk))   // never traps
        }
        #expect(MailboxList.command(capabilities: ["IMAP4REV1", "SPECIAL-USE", "LIST-EXTENDED"]) == "LIST \"\" \"*\" RETURN (SPECIAL-USE)")
        #expect(MailboxList.command(capabilities: ["IMAP4REV1", "SPECIAL-USE"]) == "LIST \"\" \"*\"")
    }

    static let listed: [ListedMailbox] = [
        #"* LIST (\HasNoChildren) "/" INBOX"#, #"* LIST (\HasNoChildren \Sent) "/" "Sent Items""#,
        #"* LIST (\HasNoChildren \All) "/" "Archive/All""#, #"* LIST (\HasNoChildren) "/" Sent"#,
        #"* LIST (\Noselect \Sent) "/" "Ghost""#,
    ].compactMap { MailboxList.parse(response($0)) }

    @Test("which mailboxes are read: the default, names, \\Flags, missing flags, no duplicates")
    func plans() {
        let plain = MailboxPlan.resolve(nil, listed: Self.listed, gmail: false)
        #expect(plain.entries.map(\.shown) == ["INBOX", "Sent Items"])
        #expect(plain.entries.map(\.isSent) == [false, true])
        // Gmail reads \All alone; without one it falls back to INBOX + \Sent.
        #expect(MailboxPlan.resolve(nil, listed: Self.listed, gmail: true).entries.map(\.shown) == ["Archive/All"])
        #expect(MailboxPlan.resolve(nil, listed: Array(Self.listed.prefix(2)), gmail: true).entries.map(\.shown) == ["INBOX", "Sent Items"])
        // A Gmail source that read INBOX before keeps INBOX + \Sent (its stored mail is not read again under new ids);
        // one that reads \All already goes on with it.
        #expect(MailboxPlan.resolve(nil, listed: Self.listed, gmail: true, resumed: ["INBOX"]).entries.map(\.shown) == ["INBOX", "Sent Items"])
        #expect(MailboxPlan.resolve(nil, listed: Self.listed, gmail: true, resumed: ["INBOX", "Archive/All"]).entries.map(\.shown) == ["Archive/All"])
        // Nothing flagged \Sent (or no LIST at all): INBOX only.
        #expect(MailboxPlan.resolve(nil, listed: [], gmail: false).entries.map(\.wire) == ["INBOX"])
        // Names keep their state key; `Sent` unflagged is still the team's by its name.
        let named = MailboxPlan.resolve(["inbox", "Sent", "\\sent", "Sent Items", "Клиенты", "\\Trash"], listed: Self.listed, gmail: false)
        #expect(named.entries.map(\.wire) == ["inbox", "Sent", "Sent Items", "&BBoEOwQ4BDUEPQRCBEs-"])
        #expect(named.entries.map(\.key) == ["inbox", "Sent", "Sent Items", "Клиенты"])
        #expect(named.entries.map(\.isSent) == [false, true, true, false])
        #expect(named.missing == ["\\Trash"])
        // A \Noselect mailbox is never chosen for its flag.
        #expect(MailboxPlan.resolve(["\\Sent"], listed: [Self.listed[4]], gmail: false).missing == ["\\Sent"])
    }

    @Test("mailboxes setting: `\\Flag` entries must be RFC 6154 attributes")
    func mailboxesSetting() throws {
        #expect(try Self.gmail("mailboxes: [INBOX, '\\Sent', '\\all']").mailboxes == ["INBOX", "\\Sent", "\\all"])
        let error = #expect(throws: ConnectorError.self) { try Self.gmail("mailboxes: [INBOX, '\\Outbox']") }
        #expect(error?.code == .settings && error?.message.contains("'\\Outbox' is no special-use flag") == true)
        #expect(throws: ConnectorError.self) { try Self.gmail("mailboxes: []") }
    }

    @Test("FETCH: X-GM-MSGID read as an unsigned 64-bit number in any position; garbage gives nil")
    func gmailMessageId() throws {
        let r = Self.response("* 7 FETCH (X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Inbox \\Sent) UID 9 BODY[] {2})", literals: ["hi"])
        let f = try #require(FetchResponse.parse(r))
        #expect(f.gmailMessageId == 1278455344230334865 && f.uid == 9 && f.gmailLabels(in: r) == ["\\Inbox", "\\Sent"])
        #expect(FetchResponse.parse(Self.response("* 7 FETCH (UID 9 X-GM-MSGID 18446744073709551615)"))?.gmailMessageId == UInt64.max)
        #expect(FetchResponse.parse(Self.response("* 7 FETCH (UID 9 X-GM-MSGID 18446744073709551616)"))?.gmailMessageId == nil)
        #expect(FetchResponse.parse(Self.response("* 7 FETCH (UID 9 X-GM-MSGID abc)"))?.gmailMessageId == nil)
        #expect(FetchResponse.parse(Self.response("* 7 FETCH (UID 9 FLAGS ())"))?.gmailMessageId == nil)
    }

    @Test("recorded Gmail (Russian locale): \\All read alone, X-GM-MSGID is the id, the \\Sent label makes outbound, drafts skipped")
    func recordedGmailAllMail() async throws {
        let server = try RecordedServer(folder: "gmail-all")
        let imap = try Self.gmail()   // no mailboxes, no support_addresses
        let sink = CollectingSink(source: "gmail")
        try await imap.pull(state: ImapState(), session: IMAPSession(server), into: sink)
        #expect(server.commands == ["CAPABILITY", "LIST \"\" \"*\" RETURN (SPECIAL-USE)",
                                    "EXAMINE \"[Gmail]/&BBIEQQRP- &BD8EPgRHBEIEMA-\"", "UID SEARCH UID 1:*",
                                    "UID FETCH 101:103 (UID INTERNALDATE RFC822.SIZE FLAGS X-GM-MSGID X-GM-LABELS BODY.PEEK[])"])
        let stored = await sink.accepted
        #expect(stored.count == 2, "the draft is skipped")
        #expect(stored.map(\.externalId).sorted() == ["gmail:1785123456789012101", "gmail:1785123456789012102"])
        let reply = try #require(stored.first { $0.externalId == "gmail:1785123456789012102" })
        #expect(reply.direction == .outbound && reply.actorRole == .agent && reply.customerKey == "maria@shop.example")
        #expect(reply.provenance == "imaps://imap.gmail.com:993/[Gmail]/Вся почта;UIDVALIDITY=3;UID=102")
        let question = try #require(stored.first { $0.externalId == "gmail:1785123456789012101" })
        #expect(question.direction == .inbound && question.conversationKey == reply.conversationKey)
        let checkpoint = try #require(await sink.checkpoints.last).decode(ImapState.self)
        #expect(checkpoint.mailboxes["[Gmail]/Вся почта"] == ImapState.Mailbox(uidValidity: 3, lastUid: 103))
    }

    @Test("Gmail read as INBOX + \\Sent: a message in both is stored once (same X-GM-MSGID)")
    func gmailInboxAndSentDedupe() async throws {
        // The recording answers every EXAMINE and FETCH alike: both mailboxes show the same two messages.
        let server = try RecordedServer(folder: "gmail-all")
        let imap = try Self.gmail("mailboxes: [INBOX, '\\Sent']")
        let harness = ConnectorHarness()
        let sink = BatchingSink(source: "gmail", store: harness.store, batchSize: 10)
        try await imap.pull(state: ImapState(), session: IMAPSession(server), into: sink)
        let summary = try await sink.finish()
        #expect(server.commands.filter { $0.hasPrefix("EXAMINE") }
                == ["EXAMINE \"INBOX\"", "EXAMINE \"[Gmail]/&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-\""])
        // Read from \Sent, the customer's message would be outbound: it was stored first from INBOX, as inbound.
        // Drafts are only skipped in \All; the draft in "Sent" here is read (it is the team's).
        #expect(summary.read == 6 && summary.stored == 3 && summary.duplicates == 3)
        let stored = await harness.stored()
        #expect(stored.first { $0.externalId == "gmail:1785123456789012101" }?.direction == .inbound)
    }

    @Test("without X-GM-EXT-1 an X-GM-MSGID is not taken as the id (Message-ID + digest stay)")
    func msgidOnlyOnGmail() async throws {
        let server = try RecordedServer(folder: "gmail-all", replacing: [
            "CAPABILITY": "* CAPABILITY IMAP4rev1 LITERAL+ SPECIAL-USE LIST-EXTENDED\r\n"])
        let sink = CollectingSink(source: "gmail")
        try await Self.gmail("mailboxes: [INBOX]").pull(state: ImapState(), session: IMAPSession(server), into: sink)
        #expect(server.commands.last == "UID FETCH 101:103 (UID INTERNALDATE RFC822.SIZE FLAGS BODY.PEEK[])")
        let ids = await sink.accepted.map(\.externalId)
        #expect(ids.count == 3 && ids.allSatisfy { $0.hasPrefix("<g10") })
    }

    @Test("throttling answers are told apart from refusals; Microsoft's suggested wait is read")
    func throttleClassification() {
        let throttled = [
            "B4 NO [THROTTLED] Too many requests",
            "B5 NO [LIMIT] Too many commands in flight",
            "A002 NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)",
            "* BYE Too many simultaneous connections",
            "A1 NO [ALERT] Too many simultaneous connections. (Failure)",
            "* BYE [ALERT] Account exceeded command or bandwidth limits. (Failure)",
            "B3 NO Request is throttled. Suggested Backoff Time: 299785 milliseconds",
        ]
        for line in throttled { #expect(IMAPThrottle.classify(line) != nil, "\(line)") }
        #expect(IMAPThrottle.classify(throttled[6])?.retryAfter == 299.785)
        #expect(IMAPThrottle.classify(throttled[0])?.retryAfter == nil)
        let refusals = [
            "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
            "B2 NO Mailbox doesn't exist: Billing",
            "* BYE Server shutting down.",
            "A1 NO [ALERT] Your account is not enabled for IMAP use. (Failure)",
            "B3 BAD Error in IMAP command EXAMINE: Missing arguments",
            // Microsoft 365: the login was accepted but the mailbox cannot be opened (IMAP off, no Full Access).
            "B3 BAD User is authenticated but not connected.",
        ]
        for line in refusals { #expect(IMAPThrottle.classify(line) == nil, "\(line)") }
        #expect(IMAPThrottle.classify(lines: ["* OK Gimap ready", "A1 NO [ALERT] Too many simultaneous connections. (Failure)"])?
            .response == "A1 NO [ALERT] Too many simultaneous connections. (Failure)")
        let error = IMAPThrottle.error(IMAPThrottle.classify(throttled[6])!, source: "m365", server: "imaps://outlook.office365.com:993",
                                       during: "EXAMINE in INBOX")
        #expect(error.code == .throttled && error.retryAfter == 299.785)
        #expect(error.message.hasPrefix("m365: imaps://outlook.office365.com:993 is throttling this account (during EXAMINE in INBOX: "))
    }

    @Test("a BYE in the middle of a command ends it with the server's reason")
    func byeEndsCommand() throws {
        final class ByeServer: IMAPTransport {
            var out = Array("* BYE [ALERT] Too many simultaneous connections. (Failure)\r\n".utf8), pos = 0
            func send(_ bytes: [UInt8]) throws {}
            func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                guard pos < out.count else { throw IMAPError.connectionLost("the server closed the connection") }
                let n = min(buffer.count, out.count - pos)
                for k in 0..<n { buffer[k] = out[pos + k] }
                pos += n
                return n
            }
            func close() {}
        }
        let session = IMAPSession(ByeServer())
        #expect {
            try session.run("NOOP")
        } throws: { error in
            guard case IMAPError.connectionLost(let why) = error else { return false }
            return why == "the server said BYE: [ALERT] Too many simultaneous connections. (Failure)"
        }
    }
}
