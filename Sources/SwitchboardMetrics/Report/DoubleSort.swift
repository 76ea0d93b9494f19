/// Ascending sort of durations by their bits (an LSD radix sort, O(n)): the same array as
/// `sorted()` for the values a report holds, several times faster on the million-value lists of a
/// big store. `-0.0` is sorted as `0.0`. A duration is never NaN (a missing wait or talk is nil, not
/// NaN, by the time it is counted); a NaN's place would follow its sign bit.
enum DoubleSort {
    /// Below this many values the general sort is as quick.
    static let radixFrom = 2048
    static let digitBits = 11
    static let passes = 6   // 6 × 11 bits cover the 64-bit keys

    static func sorted(_ values: [Double]) -> [Double] {
        guard values.count >= radixFrom else { return values.map { $0 + 0.0 }.sorted() }
        let n = values.count
        var keys = [UInt64](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = key(values[i]) }
            c = n
        }
        var spare = [UInt64](repeating: 0, count: n)
        let radix = 1 << digitBits, mask = UInt64(radix - 1)
        // Every digit's histogram in one read.
        var counts = [Int](repeating: 0, count: radix * passes)
        for k in keys {
            for p in 0..<passes { counts[p * radix + Int((k >> UInt64(p * digitBits)) & mask)] += 1 }
        }
        for p in 0..<passes {
            let base = p * radix
            // A digit every value shares leaves the order as it is.
            if counts[base + Int((keys[0] >> UInt64(p * digitBits)) & mask)] == n { continue }
            var at = 0
            for d in 0..<radix {
                let c = counts[base + d]
                counts[base + d] = at
                at += c
            }
            keys.withUnsafeBufferPointer { src in
                spare.withUnsafeMutableBufferPointer { dst in
                    counts.withUnsafeMutableBufferPointer { next in
                        let shift = UInt64(p * digitBits)
                        for k in src {
                            let d = base + Int((k >> shift) & mask)
                            dst[next[d]] = k
                            next[d] += 1
                        }
                    }
                }
            }
            swap(&keys, &spare)
        }
        return keys.map(value)
    }

    /// Unsigned keys in the order of the values: negative values flipped whole, others with the sign bit set.
    @inline(__always) static func key(_ v: Double) -> UInt64 {
        let bits = (v + 0.0).bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    @inline(__always) static func value(_ k: UInt64) -> Double {
        Double(bitPattern: k >> 63 == 1 ? k & ~(1 << 63) : ~k)
    }
}
