print(connectorRegistry.names)
