// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// A connector family: `connectors/<folder>/Sources` as target `name`, depending on
/// SwitchboardCore only (plus `extra`), and its tests with fixtures beside it.
func connectorFamily(_ name: String, folder: String, extra: [Target.Dependency] = [],
                     testExtra: [Target.Dependency] = []) -> [Target] {
    [
        .target(name: name, dependencies: ["SwitchboardCore"] + extra, path: "connectors/\(folder)/Sources",
                swiftSettings: swiftSettings),
        .testTarget(name: "\(name)Tests",
                    dependencies: [.target(name: name), "SwitchboardCore", "SwitchboardTesting"] + testExtra,
                    path: "connectors/\(folder)/Tests", resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
    ]
}

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardStore", targets: ["SwitchboardStore"]),
        .library(name: "SwitchboardMetrics", targets: ["SwitchboardMetrics"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
    ],
    targets: [
        // The schema, connector protocols, ingest sink and config. Depends on nothing of ours.
        .target(
            name: "SwitchboardCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The metrics scan: every stored interaction as numbers (interned text, fixed-size rows), the
        // protocol a store implements to be read by the metrics, and the parallel helper.
        .target(name: "SwitchboardScan", dependencies: ["SwitchboardCore", "CPrefetch"], swiftSettings: swiftSettings),
        .target(
            name: "SwitchboardStore",
            dependencies: [
                "SwitchboardCore", "SwitchboardScan", "CPrefetch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Conversation reconstruction, business calendar, KPIs and report renderers.
        .target(name: "SwitchboardMetrics", dependencies: ["SwitchboardCore", "SwitchboardScan"], swiftSettings: swiftSettings),
        // A cache prefetch hint for the metrics scan's hash tables (C: Swift has no prefetch).
        .target(name: "CPrefetch", path: "Sources/CPrefetch"),
        .target(name: "SwitchboardTesting", dependencies: ["SwitchboardCore", "SwitchboardScan"], swiftSettings: swiftSettings),
        // The webhook receiver: Hummingbird routes, health, metrics, group commit; the live report page.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardCore", "SwitchboardScan", "SwitchboardMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Scheduled pulls of `switchboard serve`: timers, back-off, source locks, status.
        .target(
            name: "SwitchboardScheduler",
            dependencies: [
                "SwitchboardCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // libcurl (transport, TLS and login of the imap connector; SMTP of the e-mail notifications), from Debian's
        // libcurl4-openssl-dev.
        .systemLibrary(
            name: "CCurl",
            path: "connectors/email/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Notification destinations (`notifications:`): e-mail over SMTP; Slack, Telegram and signed webhooks over HTTPS;
        // all through libcurl.
        .target(name: "SwitchboardNotify", dependencies: ["SwitchboardCore", "CCurl"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCore", "SwitchboardScan", "SwitchboardStore", "SwitchboardMetrics", "SwitchboardServer",
                "SwitchboardScheduler", "InteractionsConnectors", "PhoneConnectors", "EmailConnectors", "ChatExportConnectors",
                "SurveysConnectors", "WebhookConnectors", "SwitchboardNotify",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardTesting", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SwitchboardNotifyTests", dependencies: ["SwitchboardNotify", "SwitchboardCore", "SwitchboardTesting"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwitchboardScanTests", dependencies: ["SwitchboardScan"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SwitchboardStoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardScan", "SwitchboardStore", "SwitchboardTesting",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardMetricsTests",
            dependencies: [
                "SwitchboardMetrics", "SwitchboardCore", "SwitchboardScan", "SwitchboardTesting", "SwitchboardStore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardSchedulerTests",
            dependencies: [
                "SwitchboardScheduler", "SwitchboardCore", "SwitchboardTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["switchboard", "SwitchboardCore", "SwitchboardScan", "SwitchboardStore", "SwitchboardMetrics",
                           "SwitchboardTesting"],
            swiftSettings: swiftSettings
        ),
    ]
        // Connector families, one folder each under connectors/.
        + connectorFamily("InteractionsConnectors", folder: "interactions")
        + connectorFamily("PhoneConnectors", folder: "phone")
        + connectorFamily("ChatExportConnectors", folder: "chat-exports",
                          extra: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
                          testExtra: [.product(name: "ZIPFoundation", package: "ZIPFoundation")])
        + connectorFamily("SurveysConnectors", folder: "surveys")
        + connectorFamily("WebhookConnectors", folder: "webhooks",
                          extra: [.product(name: "Crypto", package: "swift-crypto")],
                          testExtra: [
                              "SwitchboardServer", "SwitchboardScan",
                              .product(name: "Crypto", package: "swift-crypto"),
                              .product(name: "Hummingbird", package: "hummingbird"),
                              .product(name: "HummingbirdTesting", package: "hummingbird"),
                              .product(name: "HTTPTypes", package: "swift-http-types"),
                              .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                              .product(name: "Logging", package: "swift-log"),
                          ])
        + connectorFamily("EmailConnectors", folder: "email", extra: ["CCurl", .product(name: "Crypto", package: "swift-crypto")])
)
