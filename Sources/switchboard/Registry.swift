import ChatExportConnectors
import EmailConnectors
import InteractionsConnectors
import PhoneConnectors
import SurveysConnectors
import SwitchboardCore
import SwitchboardNotify
import WebhookConnectors

/// Every connector kind the program knows. Adding a connector family is one
/// folder under connectors/ plus its kinds here.
let connectorRegistry = ConnectorRegistry([
    JSONLinesImporter.self,
    AsteriskCDRConnector.self,
    AsteriskQueueLogConnector.self,
    FreeSWITCHCDRConnector.self,
    PhoneCSVConnector.self,
    WhatsAppImporter.self,
    TelegramImporter.self,
    SlackImporter.self,
    DiscordImporter.self,
    MessengerImporter.self,
    SurveyCSVImporter.self,
    MetaWebhook.self,
    TelegramWebhook.self,
    SlackWebhook.self,
    VKWebhook.self,
    XWebhook.self,
    StandardWebhook.self,
    ImapSource.self,
    MboxImporter.self,
    MaildirImporter.self,
])

/// Every notification destination kind (`notifications:` entries' `kind:`). Adding one is its type plus one
/// line here.
let destinationRegistry = DestinationRegistry([
    EmailDestination.self,
    SlackDestination.self,
    TelegramDestination.self,
    WebhookDestination.self,
])
