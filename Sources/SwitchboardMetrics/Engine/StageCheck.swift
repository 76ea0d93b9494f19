import Foundation
import SwitchboardCore
import SwitchboardScan

/// `switchboard check`'s look at `phone.stages` against the stored calls: a stage none of whose contexts,
/// applications or queues any stored call has will never count a call (a typo, or a source that does not
/// record what it names: connectors/phone/README.md "Call stages").
public enum StageCheck {
    /// One warning per configured stage that names nothing found in the stored calls' details; none when no
    /// call is stored.
    public static func warnings(stages: [PhoneStage], scan: MetricsScan) -> [String] {
        var contexts = Set<Int32>(), apps = Set<Int32>(), queues = Set<Int32>()
        for chunk in scan.chunks {
            for r in chunk where r.kind == .call {
                if r.context >= 0 { contexts.insert(r.context) }
                if r.app >= 0 { apps.insert(r.app) }
                if r.queue >= 0 { queues.insert(r.queue) }
            }
        }
        guard scan.chunks.contains(where: { $0.contains { $0.kind == .call } }) else { return [] }
        let seenContexts = Set(contexts.map { scan.names.string($0) })
        let seenApps = Set(apps.map { scan.names.string($0).lowercased() })
        let seenQueues = Set(queues.map { scan.names.string($0) })
        var out: [String] = []
        for (i, s) in stages.enumerated() {
            let found = s.contexts.contains(where: seenContexts.contains)
                || s.apps.contains { seenApps.contains($0.lowercased()) }
                || s.queues.contains(where: seenQueues.contains)
                // `Queue` also matches every call with a queue.
                || (!queues.isEmpty && s.apps.contains { $0.caseInsensitiveCompare("Queue") == .orderedSame })
            guard !found else { continue }
            var named: [String] = []
            if !s.contexts.isEmpty { named.append("contexts \(s.contexts.joined(separator: ", "))") }
            if !s.apps.isEmpty { named.append("apps \(s.apps.joined(separator: ", "))") }
            if !s.queues.isEmpty { named.append("queues \(s.queues.joined(separator: ", "))") }
            out.append("phone.stages[\(i)] (\(s.name)): no stored call ended in any of its \(named.joined(separator: "; ")); "
                + "the stage will count no call (check the names against the PBX's dialplan, or whether the source records them)")
        }
        return out
    }
}
