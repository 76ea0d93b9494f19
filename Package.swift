// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardStore", targets: ["SwitchboardStore"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
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
        .target(
            name: "SwitchboardStore",
            dependencies: ["SwitchboardCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(name: "SwitchboardTesting", dependencies: ["SwitchboardCore"], swiftSettings: swiftSettings),

        // Connector families: one target each, depending on SwitchboardCore only.
        .target(
            name: "InteractionsConnectors",
            dependencies: ["SwitchboardCore"],
            path: "connectors/interactions/Sources",
            swiftSettings: swiftSettings
        ),

        .systemLibrary(
            name: "CCurl",
            path: "connectors/email/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "EmailConnectors",
            dependencies: ["SwitchboardCore", "CCurl"],
            path: "connectors/email/Sources",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "InteractionsConnectors", "EmailConnectors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardStoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InteractionsConnectorsTests",
            dependencies: ["InteractionsConnectors", "SwitchboardCore", "SwitchboardTesting"],
            path: "connectors/interactions/Tests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmailConnectorsTests",
            dependencies: ["EmailConnectors", "SwitchboardCore", "SwitchboardTesting"],
            path: "connectors/email/Tests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["switchboard", "SwitchboardCore", "SwitchboardStore"],
            swiftSettings: swiftSettings
        ),
    ]
)
