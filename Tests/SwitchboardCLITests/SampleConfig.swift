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
            topics:
              - {name: billing, keywords: ["invoice*", "оплат*"]}
              - {name: delivery, regex: '(?i)\\b(deliver|where is my order)', sources: [helpdesk]}
            connectors:
              - {name: helpdesk, kind: jsonl, path: \(samples)/interactions.jsonl}
              - name: surveys
                kind: survey-csv
                path: \(samples)/surveys.csv
                columns: {time: Submitted At, metric: Type, score: Score, scale: Scale, customer: Email, conversation: Ticket, agent: Agent, id: Response ID}
            """
    }

    /// The agent the call-record tests share (anna answers on extension 301) and the phone region.
    static let pbxAgents = """
        agents:
          - id: anna
            phones: ["301", "SIP/301"]
        phone: {default_country: RU}
        """

    /// A `connectors:` entry: `asterisk-cdr` on ./Master.csv storing each call at once (no settle time),
    /// pulled by `serve` on `schedule` when one is given.
    static func pbxSource(schedule: String? = nil) -> String {
        """
          - name: pbx
            kind: asterisk-cdr
            path: ./Master.csv
            settle: 0s
        """ + (schedule.map { "\n    schedule: \"\($0)\"" } ?? "")
    }

    /// A `connectors:` entry: the signed Standard Webhooks source `helpdesk` (secret `${HELPDESK_SECRET}`).
    static let helpdeskSource = """
          - name: helpdesk
            kind: standard-webhooks
            secret: ${HELPDESK_SECRET}
            event_type: /type
            events:
              ticket.message_created:
                conversationKey: /data/ticket_id
                actorRole: /data/author/role
                customerKey: /data/author/email
                text: /data/body
        """
}
