import EmailConnectors
import InteractionsConnectors
import SwitchboardCore

/// Every connector kind the program knows. Adding a connector family is one
/// folder under connectors/ plus its kinds here.
let connectorRegistry = ConnectorRegistry([
    JSONLinesImporter.self,
    MboxImporter.self,
    MaildirImporter.self,
])
