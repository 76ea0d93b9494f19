import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// Migration v10-call-details on both stores: where a call ended (`callDetails`) is stored, read back whole, and
/// reaches the metrics scan's rows (context and last application interned, exit position, duration).
@Suite(.timeLimit(.minutes(5))) struct CallDetailsStoreTests {
    static func call(_ n: Int, details: CallDetails?) -> Interaction {
        var i = interaction(n)
        i.kind = .call
        i.channel = .phone
        i.call = CallInfo(queue: "support", waitSeconds: 40, outcome: .abandoned)
        i.callDetails = details
        return i
    }

    @Test(arguments: Backend.allCases) func detailsRoundTripAndReachTheScan(_ backend: Backend) async throws {
        let tmp = try await ScratchStore(backend)
        let store = try await tmp.open()
        let full = Self.call(1, details: CallDetails(context: "ext-queues", lastApp: "Queue", lastData: "support,t,,,300",
                                                     entryPosition: 3, exitPosition: 2, exitKey: "5", holdSeconds: 40.5,
                                                     durationSeconds: 47.25))
        let partial = Self.call(2, details: CallDetails(context: "ivr-main", durationSeconds: 12))
        let none = Self.call(3, details: nil)
        var message = interaction(4)
        message.callDetails = nil
        _ = try await store.write(IngestBatch(source: "src", interactions: [full, partial, none, message]))
        let box = Collected()
        try await store.scan(InteractionQuery(order: .time)) { box.append($0) }
        #expect(box.items == [full, partial, none, message])

        let scan = try await store.scanMetrics()
        let rows = scan.chunks.flatMap { $0 }.sorted { $0.at < $1.at }
        #expect(rows.count == 4)
        #expect(scan.names.string(rows[0].context) == "ext-queues" && scan.names.string(rows[0].app) == "Queue")
        #expect(rows[0].exitPosition == 2 && rows[0].duration == 47.25)
        #expect(scan.names.string(rows[1].context) == "ivr-main" && rows[1].app == -1 && rows[1].exitPosition == 0 && rows[1].duration == 12)
        #expect(rows[2].context == -1 && rows[2].app == -1 && rows[2].duration.isNaN)
        #expect(rows[3].context == -1 && rows[3].duration.isNaN)
        // The generic path (every other store, `explain`) reads the same numbers.
        var generic = MetricsScan()
        for (k, i) in box.items.enumerated() { generic.add(i, order: Int64(k)) }
        let g = generic.chunks.flatMap { $0 }
        #expect(generic.names.string(g[0].context) == "ext-queues" && g[0].exitPosition == 2 && g[0].duration == 47.25)
    }
}
