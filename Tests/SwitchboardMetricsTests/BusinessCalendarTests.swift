import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

@Suite("Business calendar")
struct BusinessCalendarTests {
    static let moscow = TimeZone(identifier: "Europe/Moscow")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func hours(_ tz: TimeZone, _ weekly: [Int: [BusinessInterval]], holidays: Set<String> = []) -> BusinessHoursSettings {
        BusinessHoursSettings(timeZone: tz, weekly: weekly, holidays: holidays)
    }

    static let nineToSix = (1...5).reduce(into: [Int: [BusinessInterval]]()) { $0[$1] = [BusinessInterval(start: 540, end: 1080)] }

    @Test func withinOneDayAndAcrossAWeekend() {
        let cal = BusinessCalendar(hours: Self.hours(Self.moscow, Self.nineToSix))
        // Friday 2026-03-06 17:00 MSK (14:00Z) → Monday 10:00 MSK (07:00Z): 1h Friday + 1h Monday.
        #expect(cal.seconds(from: at("2026-03-06T14:00:00Z"), to: at("2026-03-09T07:00:00Z")) == 7200)
        // Before opening to after closing on one day: the full 9h.
        #expect(cal.seconds(from: at("2026-03-02T03:00:00Z"), to: at("2026-03-02T18:00:00Z")) == 9 * 3600)
        #expect(cal.seconds(from: at("2026-03-02T18:00:00Z"), to: at("2026-03-02T03:00:00Z")) == 0)
        #expect(cal.isOpen(at("2026-03-02T07:00:00Z")))
        #expect(!cal.isOpen(at("2026-03-07T07:00:00Z")))
    }

    @Test func severalIntervalsADayAndHolidays() {
        var weekly = Self.nineToSix
        weekly[3] = [BusinessInterval(start: 540, end: 780), BusinessInterval(start: 840, end: 1080)]
        let cal = BusinessCalendar(hours: Self.hours(Self.moscow, weekly, holidays: ["2026-03-09"]))
        // Wednesday 2026-03-04 whole day: 4h + 4h with the lunch break.
        #expect(cal.seconds(from: at("2026-03-04T00:00:00Z"), to: at("2026-03-04T20:00:00Z")) == 8 * 3600)
        // Friday 17:00 MSK → Tuesday 10:00 MSK with Monday a holiday: 1h + 1h.
        #expect(cal.seconds(from: at("2026-03-06T14:00:00Z"), to: at("2026-03-10T07:00:00Z")) == 7200)
    }

    @Test func overnightHours() {
        // Mon–Fri 22:00–06:00 (the night shift runs into the next morning).
        let weekly = (1...5).reduce(into: [Int: [BusinessInterval]]()) { $0[$1] = [BusinessInterval(start: 1320, end: 1800)] }
        let cal = BusinessCalendar(hours: Self.hours(TimeZone(identifier: "UTC")!, weekly))
        // Friday 23:00 → Saturday 05:00 is inside Friday's shift.
        #expect(cal.seconds(from: at("2026-03-06T23:00:00Z"), to: at("2026-03-07T05:00:00Z")) == 6 * 3600)
        // Saturday 22:00 → Sunday 06:00: closed.
        #expect(cal.seconds(from: at("2026-03-07T22:00:00Z"), to: at("2026-03-08T06:00:00Z")) == 0)
    }

    @Test func daylightSavingChangeInTheBusinessTimezone() {
        // Europe/Berlin springs forward on Sunday 2026-03-29 02:00 → 03:00.
        var weekly = Self.nineToSix
        weekly[7] = [BusinessInterval(start: 0, end: 1440)]
        let cal = BusinessCalendar(hours: Self.hours(Self.berlin, weekly))
        // The whole Sunday is 23 hours long.
        #expect(cal.seconds(from: at("2026-03-28T12:00:00Z"), to: at("2026-03-30T05:00:00Z")) == 23 * 3600)
        // Friday 09:00–18:00 CET is 08:00–17:00Z; Monday 09:00–18:00 CEST is 07:00–16:00Z.
        #expect(cal.seconds(from: at("2026-03-27T07:00:00Z"), to: at("2026-03-27T08:00:00Z")) == 0)
        #expect(cal.seconds(from: at("2026-03-30T07:00:00Z"), to: at("2026-03-30T16:00:00Z")) == 9 * 3600)
    }

    @Test func noBusinessHoursMeansCalendarTime() {
        let cal = BusinessCalendar(hours: nil)
        #expect(cal.seconds(from: at("2026-03-06T14:00:00Z"), to: at("2026-03-09T07:00:00Z")) == 65 * 3600)
    }

    @Test func businessDurationsReachTheReport() async throws {
        var s = Scenario()
        // Friday 17:30 MSK → reply Monday 09:30 MSK: 64h calendar, 1h business.
        s.message("w", "2026-03-06T14:30:00Z", .customer)
        s.message("w", "2026-03-09T06:30:00Z", .agent, agent: "anna")
        let r = try await s.report(MetricsSettings(businessHours: Self.hours(Self.moscow, Self.nineToSix)))
        let frt = try #require(r.overall.frt)
        #expect(frt.mean == 64 * 3600)
        #expect(frt.businessMean == 3600)
    }
}
