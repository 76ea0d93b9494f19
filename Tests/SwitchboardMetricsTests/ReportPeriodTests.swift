import Foundation
import SwitchboardCore
import SwitchboardMetrics
import Testing

/// Named report periods (`--period`, `GET /report?period=`, `reports[].period`) and the slots of scheduled reports.
@Suite struct ReportPeriodTests {
    static let moscow = TimeZone(identifier: "Europe/Moscow")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static func t(_ text: String) -> Date { Timestamp.parseISO8601(text)! }

    @Test func eachPeriodIsTheCalendarSpanBeforeOrUpToNowInTheBusinessTimezone() {
        let now = Self.t("2026-03-11T15:00:00+03:00")   // a Wednesday
        let cases: [(ReportPeriod, String, String)] = [
            (.today, "2026-03-11T00:00:00+03:00", "2026-03-11T15:00:00+03:00"),
            (.yesterday, "2026-03-10T00:00:00+03:00", "2026-03-11T00:00:00+03:00"),
            (.thisWeek, "2026-03-09T00:00:00+03:00", "2026-03-11T15:00:00+03:00"),
            (.previousWeek, "2026-03-02T00:00:00+03:00", "2026-03-09T00:00:00+03:00"),
            (.thisMonth, "2026-03-01T00:00:00+03:00", "2026-03-11T15:00:00+03:00"),
            (.previousMonth, "2026-02-01T00:00:00+03:00", "2026-03-01T00:00:00+03:00"),
        ]
        for (period, from, to) in cases {
            let range = period.range(at: now, timeZone: Self.moscow)
            #expect(range.from == Self.t(from) && range.to == Self.t(to), "\(period)")
        }
        // On a Monday just after midnight the previous week is the one that just ended; on the 1st, last month.
        let monday = ReportPeriod.previousWeek.range(at: Self.t("2026-03-09T00:00:01+03:00"), timeZone: Self.moscow)
        #expect(monday.from == Self.t("2026-03-02T00:00:00+03:00") && monday.to == Self.t("2026-03-09T00:00:00+03:00"))
        let january = ReportPeriod.previousMonth.range(at: Self.t("2026-01-01T08:00:00+03:00"), timeZone: Self.moscow)
        #expect(january.from == Self.t("2025-12-01T00:00:00+03:00") && january.to == Self.t("2026-01-01T00:00:00+03:00"))
    }

    @Test func aWeekAcrossTheSpringChangeHasLocalMidnightsAtBothEnds() {
        // Berlin moves its clocks forward on 29 March 2026: that week is 167 hours long.
        let week = ReportPeriod.previousWeek.range(at: Self.t("2026-03-30T08:00:00+02:00"), timeZone: Self.berlin)
        #expect(week.from == Self.t("2026-03-23T00:00:00+01:00") && week.to == Self.t("2026-03-30T00:00:00+02:00"))
        #expect(week.to.timeIntervalSince(week.from) == 167 * 3600)
        let day = ReportPeriod.yesterday.range(at: Self.t("2026-03-30T08:00:00+02:00"), timeZone: Self.berlin)
        #expect(day.to.timeIntervalSince(day.from) == 23 * 3600)
    }

    @Test func theOptionsTakeAPeriodInsteadOfDatesAndSayWhatIsWrong() throws {
        let named = try ReportOptions(query: [("period", "previous-week"), ("now", "2026-03-11T15:00:00+03:00")])
            .request(timeZone: Self.moscow)
        let dated = try ReportOptions(query: [("from", "2026-03-02"), ("to", "2026-03-09"), ("now", "2026-03-11T15:00:00+03:00")])
            .request(timeZone: Self.moscow)
        #expect(named.from == dated.from && named.to == dated.to && named.now == dated.now)
        #expect(ReportOptions.names.contains("period"))
        let bad = #expect(throws: ReportOptions.Problem.self) {
            try ReportOptions(query: [("period", "last-week")]).request(timeZone: Self.moscow)
        }
        #expect(bad?.queryMessage.hasPrefix("query parameter period='last-week': expected one of today, yesterday") == true)
        let both = #expect(throws: ReportOptions.Problem.self) {
            try ReportOptions(query: [("period", "yesterday"), ("from", "2026-03-01")]).request(timeZone: Self.moscow)
        }
        #expect(both?.option == "period" && both?.expected.contains("not both") == true)
        let twice = #expect(throws: ReportOptions.Problem.self) {
            try ReportOptions(query: [("period", "yesterday"), ("period", "today")])
        }
        #expect(twice?.option == "period")
    }

    @Test func slotsAreTheScheduleFireTimesAndTheLatestOneIsFoundBackwards() throws {
        let weekly = ReportSlots(schedule: try Schedule("0 8 * * mon"), timeZone: Self.moscow)
        #expect(weekly.latest(atOrBefore: Self.t("2026-03-11T15:00:00+03:00")) == Self.t("2026-03-09T08:00:00+03:00"))
        #expect(weekly.latest(atOrBefore: Self.t("2026-03-09T08:00:00+03:00")) == Self.t("2026-03-09T08:00:00+03:00"))
        #expect(weekly.latest(atOrBefore: Self.t("2026-03-09T07:59:59+03:00")) == Self.t("2026-03-02T08:00:00+03:00"))
        #expect(weekly.next(after: Self.t("2026-03-09T08:00:00+03:00")) == Self.t("2026-03-16T08:00:00+03:00"))
        let yearly = ReportSlots(schedule: try Schedule("@yearly"), timeZone: Self.moscow)
        #expect(yearly.latest(atOrBefore: Self.t("2026-12-31T00:00:00+03:00")) == Self.t("2026-01-01T00:00:00+03:00"))
        let minutely = ReportSlots(schedule: try Schedule("* * * * *"), timeZone: Self.moscow)
        #expect(minutely.latest(atOrBefore: Self.t("2026-03-11T15:00:59+03:00")) == Self.t("2026-03-11T15:00:00+03:00"))
        // `every`: a grid from the epoch, the same whenever serve starts.
        let daily = ReportSlots(schedule: try Schedule("every 24h"), timeZone: Self.moscow)
        #expect(daily.latest(atOrBefore: Self.t("2026-03-11T15:00:00Z")) == Self.t("2026-03-11T00:00:00Z"))
        #expect(daily.next(after: Self.t("2026-03-11T00:00:00Z")) == Self.t("2026-03-12T00:00:00Z"))
    }
}
