import InteractionsConnectors
import SwitchboardCore
import WebhookConnectors

/// Every connector kind the program knows. Adding a connector family is one
/// folder under connectors/ plus its kinds here.
let connectorRegistry = ConnectorRegistry([
    JSONLinesImporter.self,
    MetaWebhook.self,
    TelegramWebhook.self,
    SlackWebhook.self,
    VKWebhook.self,
    XWebhook.self,
    StandardWebhook.self,
])
