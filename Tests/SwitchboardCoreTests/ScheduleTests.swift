import Foundation
import SwitchboardCore
import Testing

/// A pull kind, so `schedule:` is accepted by the loader.
struct SamplePull: PullSource {
    struct Settings: Decodable, Sendable { var path: String? }
    static let kind = "sample-pull"
    static let summary = "test pull kind"
    static let settings: [SettingSpec] = [.path]
    init(name: String, settings: Settings, context: ConnectorContext) throws {}
    func pull(from checkpoint: Checkpoint?, into sink: any IngestSink) async throws {}
}

@Suite struct ScheduleParsingTests {
    @Test(arguments: [("every 5m", 300), ("every 90s", 90), ("every 1h30m", 5400), ("EVERY 2h", 7200),
                      ("every 1m30s", 90), ("  every 10s ", 10)])
    func everyIntervals(text: String, seconds: Int) throws {
        #expect(try Schedule(text) == .every(seconds: seconds))
        #expect(try Schedule(text).interval == Double(seconds))
    }

    @Test func everyDescriptionRoundTrips() throws {
        #expect(try Schedule("every 1h30m").description == "every 1h30m")
        #expect(try Schedule("every 3661s").description == "every 1h1m1s")
    }

    @Test(arguments: ["every", "every 5", "every 5d", "every m", "every 0s", "every -5m", "every 5 m", "every 1.5h"])
    func badIntervalsSayWhatWasExpected(text: String) {
        #expect {
            try Schedule(text)
        } throws: { error in
            "\(error)".contains("30s, 5m, 1h") || "\(error)".contains("at least 1s")
        }
    }

    @Test func cronFieldsListsRangesStepsAndNames() throws {
        let c = try CronExpression("*/10 8-20 * * mon-fri")
        #expect(c.text == "*/10 8-20 * * mon-fri")
        let d = try CronExpression("0,30 9 1,15 JAN-mar/2 7")   // months 1 and 3; 7 = Sunday
        #expect(d.text.hasPrefix("0,30"))
        let e = try CronExpression("5/20 0 * * *")   // 5, 25, 45
        let utc = TimeZone(identifier: "UTC")!
        let start = Self.utc(2026, 3, 2, 0, 0)
        #expect(e.next(after: start, in: utc) == Self.utc(2026, 3, 2, 0, 5))
        #expect(e.next(after: Self.utc(2026, 3, 2, 0, 5), in: utc) == Self.utc(2026, 3, 2, 0, 25))
        #expect(e.next(after: Self.utc(2026, 3, 2, 0, 45), in: utc) == Self.utc(2026, 3, 3, 0, 5))
    }

    @Test(arguments: [
        ("* * * *", "expected 5 cron fields"),
        ("60 * * * *", "minute: 60 is out of range (expected 0-59)"),
        ("* 24 * * *", "hour: 24 is out of range"),
        ("* * 0 * *", "day-of-month: 0 is out of range"),
        ("* * * 13 *", "month: 13 is out of range (expected 1-12 or jan…dec)"),
        ("* * * * 8", "day-of-week: 8 is out of range (expected 0-7 or sun…sat)"),
        ("* * * * mox", "day-of-week: 'mox' is not a number or a name"),
        ("*/0 * * * *", "minute: step '0' must be a whole number of 1 or more"),
        ("5-2 * * * *", "minute: range '5-2' runs backwards"),
        ("1,,2 * * * *", "minute: empty list item"),
        ("0 0 30 feb *", "never occurs"),
        ("@fortnightly", "unknown macro"),
    ])
    func badCronSaysWhichFieldAndWhatWasExpected(text: String, message: String) {
        #expect {
            try Schedule(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func macrosExpand() throws {
        #expect(try Schedule("@daily") == Schedule("0 0 * * *"))
        #expect(try Schedule("@hourly") == Schedule("0 * * * *"))
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int = 0) -> Date {
        Date(timeIntervalSince1970: Double(Timestamp.daysFromCivil(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + s))
    }
}

@Suite struct CronNextFireTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    let utc = TimeZone(identifier: "UTC")!
    func at(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int = 0) -> Date {
        ScheduleParsingTests.utc(y, mo, d, h, mi, s)
    }

    /// Fire times from `start`, `count` of them.
    func fires(_ expr: String, from start: Date, count: Int, in zone: TimeZone) throws -> [Date] {
        let s = try Schedule(expr)
        var out: [Date] = [], t = start
        for _ in 0..<count {
            guard let n = s.next(after: t, in: zone) else { break }
            out.append(n)
            t = n
        }
        return out
    }

    @Test func weekdayBusinessHoursEveryTenMinutesInLocalTime() throws {
        // Friday 2026-03-06 20:55 Berlin (UTC+1) → next is Monday 08:00 local = 07:00Z.
        let next = try Schedule("*/10 8-20 * * mon-fri").next(after: at(2026, 3, 6, 19, 55), in: berlin)
        #expect(next == at(2026, 3, 9, 7, 0))
        // Inside the window: the next multiple of ten minutes.
        #expect(try Schedule("*/10 8-20 * * mon-fri").next(after: at(2026, 3, 9, 7, 3), in: berlin) == at(2026, 3, 9, 7, 10))
        // Strictly after: a fire time itself is not returned again.
        #expect(try Schedule("*/10 8-20 * * mon-fri").next(after: at(2026, 3, 9, 7, 10), in: berlin) == at(2026, 3, 9, 7, 20))
    }

    @Test func monthEndsAndLeapDays() throws {
        // Day 31 skips the months without one.
        #expect(try fires("0 12 31 * *", from: at(2026, 1, 31, 13, 0), count: 3, in: utc)
                == [at(2026, 3, 31, 12, 0), at(2026, 5, 31, 12, 0), at(2026, 7, 31, 12, 0)])
        // February 29 only in leap years.
        #expect(try fires("0 0 29 2 *", from: at(2026, 1, 1, 0, 0), count: 2, in: utc)
                == [at(2028, 2, 29, 0, 0), at(2032, 2, 29, 0, 0)])
        // Month end to the first of the next month, across a year end, in local time (Berlin is UTC+1 in winter).
        #expect(try Schedule("30 0 1 * *").next(after: at(2026, 12, 30, 12, 0), in: berlin) == at(2026, 12, 31, 23, 30))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
        // 2026-03: the 13th is a Friday; Mondays are 2, 9, 16, 23, 30.
        let days = try fires("0 9 13 * mon", from: at(2026, 3, 1, 0, 0), count: 4, in: utc)
            .map { Calendar(identifier: .gregorian).dateComponents(in: utc, from: $0).day! }
        #expect(days == [2, 9, 13, 16])
        // One of them unrestricted (`*`, also `*/2`): both must match.
        let both = try fires("0 9 */2 * mon", from: at(2026, 3, 1, 0, 0), count: 2, in: utc)
            .map { Calendar(identifier: .gregorian).dateComponents(in: utc, from: $0).day! }
        #expect(both == [9, 23])   // odd days that are Mondays
        // 0 and 7 are both Sunday.
        #expect(try Schedule("0 9 * * 7").next(after: at(2026, 3, 1, 0, 0), in: utc) == at(2026, 3, 1, 9, 0))
        #expect(try Schedule("0 9 * * 0").next(after: at(2026, 3, 1, 0, 0), in: utc) == at(2026, 3, 1, 9, 0))
    }

    @Test func springForwardSkippedTimeFiresOnceAtTheChange() throws {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:30 does not exist that day.
        let daily = try fires("30 2 * * *", from: at(2026, 3, 28, 12, 0), count: 3, in: berlin)
        #expect(daily == [at(2026, 3, 29, 1, 0), at(2026, 3, 30, 0, 30), at(2026, 3, 31, 0, 30)])
        // Every ten minutes: the six skipped times fire once, at the change; the cadence then resumes.
        let tens = try fires("*/10 * * * *", from: at(2026, 3, 29, 0, 40), count: 4, in: berlin)
        #expect(tens == [at(2026, 3, 29, 0, 50), at(2026, 3, 29, 1, 0), at(2026, 3, 29, 1, 10), at(2026, 3, 29, 1, 20)])
    }

    @Test func fallBackRepeatedHourFiresOnceForFixedHoursAndTwiceForWildcardHours() throws {
        // Berlin 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:00–02:59 happens twice.
        let daily = try fires("30 2 * * *", from: at(2026, 10, 24, 12, 0), count: 2, in: berlin)
        #expect(daily == [at(2026, 10, 25, 0, 30), at(2026, 10, 26, 1, 30)])
        // A fixed-hour job asked from inside the second pass does not run again.
        #expect(try Schedule("45 2 * * *").next(after: at(2026, 10, 25, 1, 10), in: berlin) == at(2026, 10, 26, 1, 45))
        // Hour `*`: the repeated hour runs in both passes, keeping a steady 30-minute cadence in elapsed time.
        let halfHours = try fires("0,30 * * * *", from: at(2026, 10, 24, 23, 50), count: 6, in: berlin)
        #expect(halfHours == [at(2026, 10, 25, 0, 0), at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 0),
                              at(2026, 10, 25, 1, 30), at(2026, 10, 25, 2, 0), at(2026, 10, 25, 2, 30)])
    }

    @Test func southernHemisphereAndHalfHourZones() throws {
        // Sydney: DST ends 2026-04-05 03:00 AEDT → 02:00 AEST (16:00Z on the 4th).
        let sydney = TimeZone(identifier: "Australia/Sydney")!
        #expect(try fires("0 9 * * *", from: at(2026, 4, 3, 0, 0), count: 3, in: sydney)
                == [at(2026, 4, 3, 22, 0), at(2026, 4, 4, 23, 0), at(2026, 4, 5, 23, 0)])
        // Kolkata is UTC+5:30: 09:00 local is 03:30Z.
        #expect(try Schedule("0 9 * * *").next(after: at(2026, 6, 1, 0, 0), in: TimeZone(identifier: "Asia/Kolkata")!)
                == at(2026, 6, 1, 3, 30))
    }

    @Test func everyAddsTheInterval() throws {
        let t = at(2026, 3, 29, 0, 59)
        #expect(try Schedule("every 5m").next(after: t, in: berlin) == t.addingTimeInterval(300))
    }
}

@Suite struct ScheduleConfigTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([SamplePull.self, SampleImporter.self]), environment: [:])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    @Test func scheduleIsParsedWithTheEntry() throws {
        let config = try loader.load(yaml: """
            connectors:
              - {name: pbx, kind: sample-pull, path: ./Master.csv, schedule: "every 5m"}
              - {name: pbx2, kind: sample-pull, path: ./Master.csv, schedule: "*/10 8-20 * * mon-fri"}
            """, file: file)
        #expect(config.connectors[0].scheduleRule == .every(seconds: 300))
        #expect(config.connectors[1].scheduleRule == .cron(try CronExpression("*/10 8-20 * * mon-fri")))
    }

    @Test func badSchedulesAreConfigErrorsWithFileLineAndKey() throws {
        #expect {
            try loader.load(yaml: """
                timezone: UTC
                connectors:
                  - name: pbx
                    kind: sample-pull
                    schedule: "*/10 8-25 * * mon-fri"
                  - name: other
                    kind: sample-pull
                    schedule: every 5x
                """, file: file)
        } throws: { error in
            let problems = (error as? ConfigError)?.problems ?? []
            return problems.count == 2
                && problems[0].description.hasPrefix("/etc/switchboard/switchboard.yaml:5:")
                && problems[0].keyPath == "connectors[0].schedule"
                && problems[0].message.contains("hour: 25 is out of range (expected 0-23)")
                && problems[1].description.hasPrefix("/etc/switchboard/switchboard.yaml:8:")
                && problems[1].message.contains("30s, 5m, 1h")
        }
    }
}
