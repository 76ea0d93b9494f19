import InteractionsConnectors
import SurveysConnectors
import SwitchboardCore

/// Every connector kind the program knows. Adding a connector family is one
/// folder under connectors/ plus its kinds here.
let connectorRegistry = ConnectorRegistry([
    JSONLinesImporter.self,
    SurveyCSVImporter.self,
])
