import Foundation
@testable import SwitchboardMetrics
import Testing

@Suite struct DoubleSortTests {
    static func values(_ n: Int, seed: UInt64, _ make: (UInt64) -> Double) -> [Double] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return make(state >> 11)
        }
    }

    /// nil when equal bit for bit, else the first index that differs and both values (short in a failure).
    static func firstDifference(_ a: [Double], _ b: [Double]) -> String? {
        guard a.count == b.count else { return "\(a.count) values vs \(b.count)" }
        for i in a.indices where a[i].bitPattern != b[i].bitPattern { return "at \(i): \(a[i]) vs \(b[i])" }
        return nil
    }

    @Test("the radix sort gives the array sorted() gives, above and below the size where it starts", arguments: [10, 2_047, 2_048, 50_000])
    func sameAsSorted(n: Int) {
        let durations = Self.values(n, seed: UInt64(n)) { Double($0 % 10_000_000) / 1000 }
        #expect(Self.firstDifference(DoubleSort.sorted(durations), durations.sorted()) == nil)
        // Negative, zero, huge, tiny and infinite values, with many repeats.
        let mixed = Self.values(n, seed: 7) { r in
            switch r % 7 {
            case 0: return -Double(r % 1000) * 1.5
            case 1: return 0
            case 2: return .infinity
            case 3: return -.infinity
            case 4: return Double(r) * 1e300
            case 5: return Double.leastNonzeroMagnitude * Double(r % 9)
            default: return Double(r % 50) / 7
            }
        }
        // -0.0 (made here by -0 * 1.5) is documented to sort as 0.0.
        #expect(Self.firstDifference(DoubleSort.sorted(mixed), mixed.map { $0 + 0.0 }.sorted()) == nil)
    }

    @Test("negative zero sorts as zero, so a median is never printed as -0")
    func negativeZero() {
        let values = Array(repeating: -0.0, count: 3_000) + [1, 2]
        let sorted = DoubleSort.sorted(values)
        #expect(sorted.first?.sign == .plus && sorted.first == 0)
        #expect(sorted.last == 2)
        #expect(DoubleSort.sorted([-0.0, -1]) == [-1, 0] && DoubleSort.sorted([-0.0, -1])[1].sign == .plus)
    }
}
