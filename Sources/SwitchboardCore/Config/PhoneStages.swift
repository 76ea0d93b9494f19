import Foundation
import Yams

/// One named stage of a call's path through the PBX (`phone.stages`, docs/metrics.md "Call stages"): a call
/// is in the stage when the context it ended in, its last application or its queue is listed. Stages are in
/// call order; a call that reached a stage entered every earlier one, and a call answered by an agent reached
/// the final stage ``agentName`` after all of them.
public struct PhoneStage: Sendable, Hashable {
    public var name: String
    /// Dialplan applications (compared without regard to case: Asterisk's `BackGround` is `Background`).
    /// `Queue` also matches every call that has a queue, so sources without an application (a queue_log,
    /// a call export with a queue column) reach the queue stage.
    public var apps: [String]
    /// Dialplan contexts (compared exactly).
    public var contexts: [String]
    /// Queue names (compared exactly).
    public var queues: [String]

    public init(name: String, apps: [String] = [], contexts: [String] = [], queues: [String] = []) {
        self.name = name
        self.apps = apps
        self.contexts = contexts
        self.queues = queues
    }

    /// The final stage: a call answered by an agent (a bridged agent leg).
    public static let agentName = "agent"

    /// The stages when `phone.stages` is absent: the common Asterisk dialplan applications of a greeting,
    /// an IVR menu and a queue.
    public static let defaults: [PhoneStage] = [
        PhoneStage(name: "greeting", apps: ["Answer", "Playback", "Wait"]),
        PhoneStage(name: "menu", apps: ["Background", "WaitExten", "Read"]),
        PhoneStage(name: "queue", apps: ["Queue"]),
    ]
}

/// Reads `phone.stages`.
enum PhoneStagesReader {
    static let keys = ["name", "apps", "contexts", "queues"]

    static func read(_ node: Node, _ r: NodeReader) -> [PhoneStage]? {
        guard let seq = node.sequence else {
            r.problem(node, "phone.stages", "expected a list of stages in call order (- {name: greeting, apps: [Playback]})")
            return nil
        }
        var stages: [PhoneStage] = []
        var names: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "phone.stages[\(i)]"
            guard let members = r.mapping(item, path, known: keys) else { continue }
            var stage = PhoneStage(name: "")
            for (k, v, _) in members {
                switch k {
                case "name": stage.name = r.string(v, "\(path).name") ?? ""
                case "apps": stage.apps = r.stringList(v, "\(path).apps") ?? []
                case "contexts": stage.contexts = r.stringList(v, "\(path).contexts") ?? []
                default: stage.queues = r.stringList(v, "\(path).queues") ?? []
                }
            }
            let name = stage.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                r.problem(item, "\(path).name", "every stage needs a name")
                continue
            }
            if name == PhoneStage.agentName {
                r.problem(item, "\(path).name", "'agent' is the final stage (a call answered by an agent) and cannot be configured; choose another name")
                continue
            }
            if !names.insert(name).inserted {
                r.problem(item, "\(path).name", "stage '\(name)' is listed twice")
                continue
            }
            if stage.apps.isEmpty && stage.contexts.isEmpty && stage.queues.isEmpty {
                r.problem(item, path, "stage '\(name)' matches nothing: give apps, contexts and/or queues")
                continue
            }
            stage.name = name
            stages.append(stage)
        }
        return stages
    }
}
