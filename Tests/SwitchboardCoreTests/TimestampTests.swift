import Foundation
import SwitchboardCore
import Testing

@Suite struct TimestampTests {
    @Test func parsesOffsetsAndFractions() throws {
        let z = try #require(Timestamp.parseISO8601("2026-03-01T10:00:00Z"))
        #expect(z.timeIntervalSince1970 == 1_772_359_200)
        let plus = try #require(Timestamp.parseISO8601("2026-03-01T13:00:00.250+03:00"))
        #expect(plus.timeIntervalSince1970 == 1_772_359_200.25)
        let compact = try #require(Timestamp.parseISO8601("2026-03-01 05:00:00-0500"))
        #expect(compact.timeIntervalSince1970 == 1_772_359_200)
    }

    @Test(arguments: ["2026-03-01T10:00:00", "2026-02-30T10:00:00Z", "2026-03-01T25:00:00Z", "yesterday", "", "2026-03-01T10:00:00Zjunk"])
    func rejectsInvalid(_ text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test func formatsWithMillisecondsRoundTrip() throws {
        let d = Date(timeIntervalSince1970: 1_772_359_200.123)
        let s = Timestamp.formatISO8601(d)
        #expect(s == "2026-03-01T10:00:00.123Z")
        #expect(Timestamp.parseISO8601(s) == d)
        #expect(Timestamp.formatISO8601(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
    }

    @Test func formatsEveryFieldWithItsWidth() throws {
        // Written byte by byte: each field against the calendar's own components, from 1600 to 9999.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        for millis in stride(from: Int64(-11_676_096_000_000), through: 253_402_300_799_999, by: 316_159_271_093) {
            let d = Date(timeIntervalSince1970: Double(millis) / 1000)
            let ms = Timestamp.milliseconds(d)
            let whole = Date(timeIntervalSince1970: Double(ms >= 0 ? ms / 1000 : (ms - 999) / 1000))
            let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!,
                                  c.minute!, c.second!, Int((ms % 1000 + 1000) % 1000))
            #expect(Timestamp.formatISO8601(d) == expected)
        }
    }

    @Test func civilDaysRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test func localTimeConverterMatchesFoundationAcrossDST() throws {
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        let converter = LocalTimeConverter(timeZone: tz)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        for (y, m, d, h) in [(2026, 3, 28, 12), (2026, 3, 29, 1), (2026, 3, 29, 3), (2026, 10, 25, 4), (2026, 7, 1, 23)] {
            let ours = converter.date(year: y, month: m, day: d, hour: h, minute: 30, second: 0)
            let foundation = calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: 30))
            #expect(ours == foundation, "\(y)-\(m)-\(d) \(h):30")
        }
        #expect(converter.date(year: 2026, month: 2, day: 29, hour: 0, minute: 0, second: 0) == nil)
    }
}
