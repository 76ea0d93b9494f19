import Foundation
import SwitchboardCore
import SwitchboardScan

/// FCR verdicts and survey attachment on customer and key numbers (no String keys).
extension Dataset {
    /// FCR verdict per conversation. A customer's counted conversations are ordered by (open, source, key):
    /// the explicit tie-break keeps the repeat named in `explain` independent of scan order.
    func verdicts(window: Double) -> [FCRVerdict] {
        let customers = tables.customers.count
        let n = conversations.count
        // One read of the conversations (through their storage, without copying each) into the numbers
        // the ordering needs: the customer whose list a counted conversation joins (-1: none), open, source, number.
        var owner = [Int32](repeating: -1, count: n), openAt = [Double](repeating: 0, count: n)
        var sourceOf = [Int32](repeating: 0, count: n), numberOf = [Int32](repeating: 0, count: n)
        var starts = [Int](repeating: 0, count: customers + 1)
        conversations.withUnsafeBufferPointer { convs in
            for i in 0..<n {
                openAt[i] = convs[i].openedAt?.timeIntervalSince1970 ?? 0
                sourceOf[i] = convs[i].source
                numberOf[i] = convs[i].number
                if convs[i].counts && convs[i].customer >= 0 {
                    owner[i] = convs[i].customer
                    starts[Int(convs[i].customer) + 1] += 1
                }
            }
        }
        for k in 0..<customers { starts[k + 1] += starts[k] }
        var next = starts
        var list = [Int32](repeating: 0, count: starts[customers])
        for i in 0..<n where owner[i] >= 0 {
            list[next[Int(owner[i])]] = Int32(i)
            next[Int(owner[i])] += 1
        }
        let convs = conversations
        let opens = openAt, sources = sourceOf, numbers = numberOf
        let order = keyOrder
        // Per conversation, the customer's first conversation opening strictly after it (-1: none).
        var following = [Int32](repeating: -1, count: convs.count)
        let customerParts = Parallel.ranges(customers, parts: Parallel.width * 2)
        list.withUnsafeMutableBufferPointer { list in
            following.withUnsafeMutableBufferPointer { following in
                // Parts own disjoint customers, hence disjoint slices of `list` and entries of `following`.
                let shared = (list, following)
                _ = Parallel.map(customerParts.count) { p in
                    let (list, following) = shared
                    for k in customerParts[p] {
                        let lo = starts[k], hi = starts[k + 1]
                        guard hi > lo else { continue }
                        var slice = UnsafeMutableBufferPointer(rebasing: list[lo..<hi])
                        if hi - lo > 1 {
                            slice.sort { a, b in
                                let x = Int(a), y = Int(b)
                                if opens[x] != opens[y] { return opens[x] < opens[y] }
                                return order.less(sources[x], numbers[x], sources[y], numbers[y])
                            }
                        }
                        var m = 0
                        for j in 0..<slice.count {
                            let o = opens[Int(slice[j])]
                            if m <= j { m = j + 1 }
                            while m < slice.count && opens[Int(slice[m])] <= o { m += 1 }
                            following[Int(slice[j])] = m < slice.count ? slice[m] : -1
                        }
                    }
                }
            }
        }
        let parts = Parallel.ranges(n, parts: Parallel.width)
        return [FCRVerdict](unsafeUninitializedCapacity: n) { out, count in
            let dest = out.baseAddress!
            convs.withUnsafeBufferPointer { convs in
                _ = Parallel.map(parts.count) { p in
                    for i in parts[p] { (dest + i).initialize(to: verdict(convs, i)) }
                }
            }
            count = n
        }
        func verdict(_ convs: UnsafeBufferPointer<Conversation>, _ i: Int) -> FCRVerdict {
            guard convs[i].counts, convs[i].resolved, let open = convs[i].openedAt else { return .notResolved }
            let agents = convs[i].agentSet.count
            if agents != 1 { return .agents(agents) }
            if convs[i].reopenCount > 0 { return .reopened(convs[i].reopenCount) }
            let next = Int(following[i])
            if next >= 0, let at = convs[next].openedAt, at.timeIntervalSince(open) <= window {
                return .repeated(source: source(of: convs[next]), key: key(of: convs[next]), at: at)
            }
            return .resolvedFirstContact
        }
    }

    /// By conversationKey in any source (the latest opened at or before the survey, else the first opened),
    /// else the customer's latest conversation opened before it within the window. Equal open times go to
    /// the later (source, key) for "latest" and the earlier for "first".
    func surveyConversations(window: Double) -> [Int?] {
        var links = [Int?](repeating: nil, count: surveys.count)
        guard !surveys.isEmpty else { return links }
        let n = conversations.count
        var keyHead = [Int32](repeating: -1, count: tables.keys.count), keyNext = [Int32](repeating: -1, count: n)
        var customerHead = [Int32](repeating: -1, count: tables.customers.count), customerNext = [Int32](repeating: -1, count: n)
        let conversationKey = tables.conversationKey
        let order = keyOrder
        conversations.withUnsafeBufferPointer { convs in
            for i in stride(from: n - 1, through: 0, by: -1) where convs[i].isCustomer {
                let k = Int(conversationKey[Int(convs[i].number)])
                keyNext[i] = keyHead[k]
                keyHead[k] = Int32(i)
                let customer = Int(convs[i].customer)
                if customer >= 0 {
                    customerNext[i] = customerHead[customer]
                    customerHead[customer] = Int32(i)
                }
            }
        }
        func latest(_ head: Int32, _ next: [Int32], before t: Date, after: Date?) -> Int? {
            var best = -1
            var i = Int(head)
            while i >= 0 {
                let c = conversations[i]
                if let o = c.openedAt, o <= t, after.map({ o >= $0 }) ?? true {
                    if best < 0 { best = i } else {
                        let b = conversations[best]
                        if o > b.openedAt! || (o == b.openedAt! && order.less(b.source, b.number, c.source, c.number)) { best = i }
                    }
                }
                i = Int(next[i])
            }
            return best >= 0 ? best : nil
        }
        func first(_ head: Int32, _ next: [Int32]) -> Int {
            var best = Int(head)
            var i = Int(next[best])
            while i >= 0 {
                let c = conversations[i], b = conversations[best]
                if c.openedAt! < b.openedAt! || (c.openedAt! == b.openedAt! && order.less(c.source, c.number, b.source, b.number)) { best = i }
                i = Int(next[i])
            }
            return best
        }
        for s in surveys.indices {
            let survey = surveys[s]
            let head = Int(survey.key) < keyHead.count ? keyHead[Int(survey.key)] : -1
            if head >= 0 {
                links[s] = latest(head, keyNext, before: survey.at, after: nil) ?? first(head, keyNext)
            } else if survey.customer >= 0, Int(survey.customer) < customerHead.count, customerHead[Int(survey.customer)] >= 0 {
                links[s] = latest(customerHead[Int(survey.customer)], customerNext, before: survey.at,
                                  after: survey.at.addingTimeInterval(-window))
            }
        }
        return links
    }
}
