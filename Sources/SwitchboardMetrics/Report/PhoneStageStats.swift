import Foundation

/// The call-stage funnel of one group (`phone.stages` in the JSON report; docs/metrics.md "Call stages"):
/// inbound calls opened in the period, ivr-only and short abandons included.
public struct PhoneStageStats: Sendable, Hashable {
    /// One stage: the configured ones in call order, then `agent`.
    public struct Stage: Sendable, Hashable {
        public var name: String
        /// Calls that reached this stage or a later one.
        public var entered = 0
        /// Calls that hung up here (outcome abandoned, short_abandon or ivr: the caller left with this as the last stage reached).
        public var abandoned = 0
        /// Of ``abandoned``, those under `phone.short_abandon`.
        public var shortAbandoned = 0
        /// Calls whose last stage this was, however they ended (abandoned, timed out, left with a key, busy, answered for `agent`).
        public var ended = 0
        /// abandoned ÷ entered; nil when none entered.
        public var abandonRate: Double?
        /// Wait before giving up of the abandoned calls (the call's wait, else its duration): median and p90 (nearest rank).
        public var abandonWaitMedian: Double?
        public var abandonWaitP90: Double?
        /// Queue position when the caller hung up → abandoned calls (calls with a known position only).
        public var abandonedPositions: [Int: Int] = [:]
        /// Local hour 0…23 → calls; weekday 1 (Monday)…7 → calls.
        public var enteredByHour: [Int: Int] = [:]
        public var abandonedByHour: [Int: Int] = [:]
        public var enteredByWeekday: [Int: Int] = [:]
        public var abandonedByWeekday: [Int: Int] = [:]

        public init(name: String) { self.name = name }
    }

    /// In call order; the last is `agent`.
    public var stages: [Stage]
    /// Calls that matched no stage and were not answered (the stage config names nothing they did).
    public var unstaged = 0
    public var unstagedAbandoned = 0
    /// Calls the PBX alone handled (outcome `ivr`: no agent leg); they are not in `offered`.
    public var ivr = 0

    public func stage(_ name: String) -> Stage? { stages.first { $0.name == name } }
}
