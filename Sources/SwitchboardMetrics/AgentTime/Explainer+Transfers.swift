import Foundation
import SwitchboardCore

extension Explainer {
    /// The queue_log transfers of a call (agent events of the same source whose call id is the conversation key):
    /// who passed the call on, to where, after how long. FCR is judged as for every call: a second agent in
    /// the conversation breaks it, the transfer line alone does not.
    func transfers(source: String, key: String, data: Dataset) -> String {
        let lines = data.agentEvents.filter {
            $0.source == source && $0.callid == key && ["TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"].contains($0.event)
        }
        return lines.map { e in
            // TRANSFER / BLINDTRANSFER: extension|context|holdtime|calltime; ATTENDEDTRANSFER: method|data|holdtime|calltime.
            let target: String
            if e.event == "ATTENDEDTRANSFER" {
                target = [e.param(1), e.param(2)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            } else {
                target = [e.param(1), e.param(2)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "@")
            }
            let talk = e.param(4).flatMap(Double.init).map { " after \(JSONWriter.format($0))s talk" } ?? ""
            let agent = e.agent == e.interface ? e.agent : "\(e.agent) (\(e.interface))"
            return "  transfer (\(e.event)): \(Timestamp.formatISO8601(e.at)) \(agent) passed the call to "
                + "\(target.isEmpty ? "(not named)" : target)\(talk) [\(e.provenance)]\n"
        }.joined()
    }
}
