import Foundation

/// The config sections that load the bundled sample data (config/samples): business hours, customer
/// links, and the helpdesk JSON Lines and survey CSV sources. Tests put their own store, server and
/// agents above it.
enum SampleConfig {
    static var dataSections: String {
        let samples = CLI.packageRoot.appendingPathComponent("config/samples").path
        return """
            business_hours:
              timezone: Europe/Moscow
              weekly: {mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-17:00"}
            customers: {links: \(samples)/customer-links.csv}
            connectors:
              - {name: helpdesk, kind: jsonl, path: \(samples)/interactions.jsonl}
              - name: surveys
                kind: survey-csv
                path: \(samples)/surveys.csv
                columns: {time: Submitted At, metric: Type, score: Score, scale: Scale, customer: Email, conversation: Ticket, agent: Agent, id: Response ID}
            """
    }
}
