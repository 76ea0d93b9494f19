import Foundation

/// Where a call ended, beside its ``CallInfo`` on `kind: call` interactions: what the call-stage funnel
/// (`phone.stages`, docs/metrics.md) reads. Each PBX source maps what it has (connectors/phone/README.md);
/// every field is optional.
public struct CallDetails: Codable, Sendable, Hashable {
    /// The dialplan context the call ended in (Asterisk `dcontext` of its last leg, FreeSWITCH `context`).
    public var context: String?
    /// The last dialplan application the call ran (`Queue`, `Playback`, `BackGround`, …) and its arguments.
    public var lastApp: String?
    public var lastData: String?
    /// Queue position on entering the queue and on leaving it (1 = first in line).
    public var entryPosition: Int?
    public var exitPosition: Int?
    /// The key a caller pressed to leave the queue (`EXITWITHKEY`).
    public var exitKey: String?
    /// Seconds in the queue (the queue's hold time, answered or not).
    public var holdSeconds: Double?
    /// Seconds from the call's start to its end.
    public var durationSeconds: Double?

    public init(context: String? = nil, lastApp: String? = nil, lastData: String? = nil, entryPosition: Int? = nil,
                exitPosition: Int? = nil, exitKey: String? = nil, holdSeconds: Double? = nil, durationSeconds: Double? = nil) {
        self.context = context
        self.lastApp = lastApp
        self.lastData = lastData
        self.entryPosition = entryPosition
        self.exitPosition = exitPosition
        self.exitKey = exitKey
        self.holdSeconds = holdSeconds
        self.durationSeconds = durationSeconds
    }

    /// Empty strings and non-positive positions are "not known"; nil when nothing is known.
    public var normalized: CallDetails? {
        func text(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let d = CallDetails(context: text(context), lastApp: text(lastApp), lastData: text(lastData),
                            entryPosition: entryPosition.flatMap { $0 > 0 ? $0 : nil },
                            exitPosition: exitPosition.flatMap { $0 > 0 ? $0 : nil }, exitKey: text(exitKey),
                            holdSeconds: holdSeconds, durationSeconds: durationSeconds)
        return d == CallDetails() ? nil : d
    }
}
