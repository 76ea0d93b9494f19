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
                        Self.following(UnsafeMutableBufferPointer(rebasing: list[lo..<hi]), open: { opens[Int($0)] },
                                       source: { sources[Int($0)] }, number: { numbers[Int($0)] }, order: order) {
                            following[Int($0)] = $1
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
            self.verdict(convs, i, next: Int(following[i]), window: window)
        }
    }

    /// Orders one customer's counted conversations (`slice`, conversation indices) by (open, source, key) and
    /// calls `setFollowing` with each one and the first opening strictly after it (-1: none).
    @inline(__always)
    static func following(_ slice: UnsafeMutableBufferPointer<Int32>, open: (Int32) -> Double, source: (Int32) -> Int32,
                          number: (Int32) -> Int32, order: KeyOrder, _ setFollowing: (Int32, Int32) -> Void) {
        var slice = slice
        if slice.count > 1 {
            slice.sort { a, b in
                let oa = open(a), ob = open(b)
                if oa != ob { return oa < ob }
                return order.less(source(a), number(a), source(b), number(b))
            }
        }
        var m = 0
        for j in 0..<slice.count {
            let o = open(slice[j])
            if m <= j { m = j + 1 }
            while m < slice.count && open(slice[m]) <= o { m += 1 }
            setFollowing(slice[j], m < slice.count ? slice[m] : -1)
        }
    }

    /// The FCR verdict of conversation `i` given its customer's next counted conversation `next` (the first
    /// opening strictly after it; -1: none). Fields are read in place: copying a ``Conversation`` (retaining its
    /// lists) for each of millions of verdicts costs more than the verdicts.
    func verdict(_ convs: UnsafeBufferPointer<Conversation>, _ i: Int, next: Int, window: Double) -> FCRVerdict {
        guard convs[i].counts, convs[i].resolved, let open = convs[i].openedAt else { return .notResolved }
        let agents = convs[i].agentSet.count
        if agents != 1 { return .agents(agents) }
        if convs[i].reopenCount > 0 { return .reopened(convs[i].reopenCount) }
        if next >= 0, let at = convs[next].openedAt, at.timeIntervalSince(open) <= window {
            return .repeated(source: source(of: convs[next]), key: key(of: convs[next]), at: at)
        }
        return .resolvedFirstContact
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
        let lists = SurveyCandidates(keyHead: keyHead, keyNext: keyNext, customerHead: customerHead, customerNext: customerNext)
        for s in surveys.indices { links[s] = lists.link(surveys[s], conversations: conversations, order: order, window: window) }
        return links
    }
}

/// The customer conversations a survey may belong to, as linked lists over conversation indices: by
/// conversationKey (any source) and by customer. Built whole by ``Dataset/surveyConversations(window:)``;
/// the live state keeps its own up to date. List order does not matter: every choice has an explicit tie-break.
struct SurveyCandidates {
    /// Per key number, the first conversation of its list (-1: none); per conversation, the next one.
    var keyHead: [Int32], keyNext: [Int32]
    /// Per customer number, the first conversation of its list (-1: none); per conversation, the next one.
    var customerHead: [Int32], customerNext: [Int32]

    /// By conversationKey (the latest opened at or before the survey, else the first opened), else the
    /// customer's latest conversation opened before it within `window`.
    func link(_ survey: SurveyAnswer, conversations: [Conversation], order: KeyOrder, window: Double) -> Int? {
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
        let head = Int(survey.key) < keyHead.count ? keyHead[Int(survey.key)] : -1
        if head >= 0 {
            return latest(head, keyNext, before: survey.at, after: nil) ?? first(head, keyNext)
        } else if survey.customer >= 0, Int(survey.customer) < customerHead.count, customerHead[Int(survey.customer)] >= 0 {
            return latest(customerHead[Int(survey.customer)], customerNext, before: survey.at, after: survey.at.addingTimeInterval(-window))
        }
        return nil
    }
}
