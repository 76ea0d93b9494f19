import Foundation

/// What Switchboard reads from one e-mail: the envelope facts, the preferred
/// body text and counts. Produced by ``MessageParser``; never fails — what
/// could not be read is listed in ``problems``.
public struct EmailMessage: Sendable {
    /// `Message-ID` without brackets.
    public var messageId: String?
    public var inReplyTo: [String] = []
    public var references: [String] = []
    public var from: MailAddress?
    public var replyTo: MailAddress?
    public var to: [MailAddress] = []
    public var cc: [MailAddress] = []
    /// Subject with RFC 2047 words decoded.
    public var subject: String?
    /// The `Date:` header; nil when missing or unreadable.
    public var date: Date?
    /// The date of an mbox `From ` separator line the bytes began with (a file cut out of an mbox).
    public var envelopeDate: Date?
    /// text/plain preferred, else text/html turned into text.
    public var text: String?
    /// Attachments: parts with a filename or `attachment` disposition, non-text parts, forwarded messages.
    public var attachments: Int = 0
    /// `Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply|junk`, or
    /// `Precedence: bulk` without `List-Id` (see ``MessageParser/isAutoReply(_:)``).
    public var isAutoReply = false
    /// A digest of From, Date, Subject and the body with line ends normalised: the same
    /// message read from mbox, Maildir or IMAP gets the same hash.
    public var contentHash: String = ""
    /// Readable descriptions of what was malformed (bad base64, broken boundary…).
    public var problems: [String] = []
    /// True when the bytes held no header field at all (not an e-mail).
    public var hasNoHeaders = false
    /// `X-Mozilla-Keys`: the keywords (tags) Thunderbird keeps in its local mbox / Maildir files.
    public var mozillaKeys: String?
    /// `X-Gmail-Labels`: the labels Google Takeout writes into its mbox export.
    public var gmailLabels: String?

    public init() {}

    /// The key a message keeps wherever it is read from: Message-ID + content hash.
    public var stableKey: String {
        (messageId.map { "<\($0)>" } ?? "<>") + "#" + contentHash
    }
}
