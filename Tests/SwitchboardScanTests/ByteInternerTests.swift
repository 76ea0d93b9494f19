import Foundation
import SwitchboardScan
import Testing

@Suite struct ByteInternerTests {
    /// Pseudo-random keys shaped like stored conversation keys, some repeated.
    static func keys(_ n: Int, seed: UInt64, distinct: Int) -> [String] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return "<t\((state >> 33) % UInt64(distinct))@mail.example.com>"
        }
    }

    @Test("merging numbers the other table's values as interning them one by one would, keeping this table's numbers")
    func mergeMatchesInterningOneByOne() {
        var mine = ByteInterner(), reference = ByteInterner(), theirs = ByteInterner()
        for k in Self.keys(5_000, seed: 1, distinct: 3_000) {
            _ = mine.intern(k)
            _ = reference.intern(k)
        }
        // Overlapping values (same key space) and values of their own ("" included).
        for k in Self.keys(8_000, seed: 2, distinct: 6_000) + ["", "x"] { _ = theirs.intern(k) }
        let before = (0..<mine.count).map { mine.string(Int32($0)) }
        let map = mine.merge(theirs)
        let expected = (0..<theirs.count).map { reference.intern(theirs.string(Int32($0))) }
        #expect(map == expected)
        #expect(mine.count == reference.count)
        #expect((0..<before.count).map { mine.string(Int32($0)) } == before)
        for id in 0..<theirs.count { #expect(mine.string(map[id]) == theirs.string(Int32(id))) }
        #expect(mine.find("x") == map[theirs.find("x").map(Int.init)!])
    }

    @Test("merging an empty table, or into one, keeps every number valid")
    func mergeEmpty() {
        var empty = ByteInterner(), some = ByteInterner()
        _ = some.intern("a")
        _ = some.intern("b")
        #expect(empty.merge(some) == [0, 1])
        #expect(some.merge(ByteInterner()) == [])
        #expect(some.count == 2 && empty.string(1) == "b")
    }

    @Test("a table reserved big enough for huge pages starts empty and numbers values as a small one")
    func bigReservedTable() {
        var big = ByteInterner(), small = ByteInterner()
        big.reserve(300_000)
        #expect(big.count == 0 && big.find("<t1@mail.example.com>") == nil)
        for k in Self.keys(20_000, seed: 3, distinct: 15_000) { #expect(big.intern(k) == small.intern(k)) }
        #expect(big.count == small.count)
    }
}
