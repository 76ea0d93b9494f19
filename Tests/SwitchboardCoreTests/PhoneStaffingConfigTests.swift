import Foundation
import SwitchboardCore
import Testing

/// `phone.shrinkage`, `phone.recovery_window` and `targets.phone.service_level`: read, defaulted, refused with where and why.
@Suite struct PhoneStaffingConfigTests {
    let loader = ConfigLoader(registry: ConnectorRegistry([SampleImporter.self]), environment: [:])
    let file = URL(fileURLWithPath: "/etc/switchboard/switchboard.yaml")

    @Test func readAsWrittenAndDefaulted() throws {
        let c = try loader.load(yaml: """
            phone: {shrinkage: 25%, recovery_window: 4h}
            targets:
              phone: {answer_within: 20s, service_level: 0.85}
            """, file: file)
        #expect(c.phone.shrinkage == 0.25 && c.phone.recoveryWindow == 14400)
        #expect(c.targets.phoneAnswerWithin == 20 && c.targets.phoneServiceLevel == 0.85)
        let d = try loader.load(yaml: "timezone: UTC\n", file: file)
        #expect(d.phone.shrinkage == 0.30 && d.phone.recoveryWindow == 86400 && d.targets.phoneServiceLevel == 0.80)
        let fraction = try loader.load(yaml: "phone: {shrinkage: 0.3}\ntargets: {phone: {service_level: 80%}}\n", file: file)
        #expect(fraction.phone.shrinkage == 0.3 && fraction.targets.phoneServiceLevel == 0.8)
    }

    @Test func badValuesNameTheKeyTheLineAndWhatIsExpected() throws {
        let error = try #require(throws: ConfigError.self) {
            try loader.load(yaml: """
                phone:
                  shrinkage: 100%
                  recovery_window: tomorrow
                targets:
                  phone: {service_level: 1.2}
                """, file: file)
        }
        #expect(error.problems.map(\.keyPath) == ["phone.shrinkage", "phone.recovery_window", "targets.phone.service_level"])
        #expect(error.problems.map(\.line) == [2, 3, 5])
        #expect(error.problems[0].message.contains("below 100%"))
        #expect(error.problems[1].message.contains("expected a duration"))
        #expect(error.problems[2].message.contains("between 0 and 1"))
        let more = try #require(throws: ConfigError.self) {
            try loader.load(yaml: "phone: {recovery_window: 0s, shrinkage: '-5%'}\ntargets: {phone: {service_level: 1}}\n", file: file)
        }
        #expect(more.problems.map(\.keyPath) == ["phone.recovery_window", "phone.shrinkage", "targets.phone.service_level"])
        #expect(more.problems[0].message.contains("longer than 0s"))
        #expect(more.problems[2].message.contains("below 1"))
    }
}
