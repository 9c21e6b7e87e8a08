// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "fanout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coordinator", targets: ["CoordinatorCLI"]),
        .executable(name: "worker", targets: ["WorkerCLI"]),
        .executable(name: "flagserver", targets: ["FlagServerCLI"]),
        .executable(name: "fanout-benchmarks", targets: ["Benchmarks"]),
        .library(name: "FanoutProtocol", targets: ["FanoutProtocol"]),
        .library(name: "FanoutCoordinator", targets: ["FanoutCoordinator"]),
        .library(name: "FanoutWorker", targets: ["FanoutWorker"]),
        .library(name: "FanoutJobs", targets: ["FanoutJobs"]),
        .library(name: "FanoutBuiltinJobs", targets: ["FanoutBuiltinJobs"]),
        .library(name: "FanoutWorkerCommandLine", targets: ["FanoutWorkerCommandLine"]),
        .library(name: "FanoutCoordinatorCommandLine", targets: ["FanoutCoordinatorCommandLine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "FanoutLocking",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ],
            path: "Sources/Locking"
        ),
        .target(
            name: "FanoutObservability",
            dependencies: [
                "FanoutLocking",
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Observability"
        ),
        .target(
            name: "FanoutDashboard",
            dependencies: [
                "FanoutCoordinator",
                "FanoutLocking",
                "FanoutObservability",
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Dashboard"
        ),
        .target(
            name: "FanoutProtocol",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Sources/Protocol"
        ),
        .target(
            name: "FanoutJobs",
            dependencies: [
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Jobs"
        ),
        .target(
            name: "FanoutBuiltinJobs",
            dependencies: [
                "FanoutJobs",
                "FanoutLocking",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "SpawnShims",
            ],
            path: "Sources/BuiltinJobs"
        ),
        // glibc's posix_spawn extensions that Swift's Glibc module does not declare.
        .target(name: "SpawnShims", path: "Sources/SpawnShims"),
        .target(
            name: "FanoutWorker",
            dependencies: [
                "FanoutLocking",
                "FanoutProtocol",
                "FanoutJobs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Sources/Worker"
        ),
        .target(
            name: "FanoutCoordinator",
            dependencies: [
                "FanoutLocking",
                "FanoutProtocol",
                "FanoutJobs",
                "FanoutBuiltinJobs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Coordinator"
        ),
        .target(
            name: "FanoutFlagServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/FlagServer"
        ),
        .target(
            name: "FanoutCommandLine",
            dependencies: [
                "FanoutProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CommandLineSupport"
        ),
        .executableTarget(
            name: "FlagServerCLI",
            dependencies: [
                "FanoutFlagServer",
                "FanoutCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/FlagServerCLI"
        ),
        .target(
            name: "FanoutCoordinatorCommandLine",
            dependencies: [
                "FanoutCoordinator",
                "FanoutDashboard",
                "FanoutObservability",
                "FanoutCommandLine",
                "FanoutProtocol",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CoordinatorCommandLine"
        ),
        .executableTarget(
            name: "CoordinatorCLI",
            dependencies: [
                "FanoutCoordinatorCommandLine",
                "FanoutCoordinator",
                "FanoutBuiltinJobs",
                "FanoutJobs",
                "FanoutCommandLine",
                "FanoutProtocol",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CoordinatorCLI"
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "FanoutLocking",
                "FanoutCoordinator",
                "FanoutDashboard",
                "FanoutObservability",
                "FanoutBuiltinJobs",
                "FanoutJobs",
                "FanoutCommandLine",
                "FanoutProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            path: "Sources/Benchmarks"
        ),
        .target(
            name: "FanoutWorkerCommandLine",
            dependencies: [
                "FanoutWorker",
                "FanoutJobs",
                "FanoutBuiltinJobs",
                "FanoutCommandLine",
                "FanoutObservability",
                "FanoutProtocol",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/WorkerCommandLine"
        ),
        .executableTarget(
            name: "WorkerCLI",
            dependencies: [
                "FanoutWorker",
                "FanoutWorkerCommandLine",
                "FanoutBuiltinJobs",
                "FanoutCommandLine",
                "FanoutProtocol",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/WorkerCLI"
        ),
        .target(
            name: "FanoutFuzzing",
            dependencies: [
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz/Support"
        ),
        .target(
            name: "FanoutTestSupport",
            dependencies: [
                "FanoutCoordinator",
                "FanoutJobs",
                "FanoutBuiltinJobs",
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "FanoutProtocolTests",
            dependencies: [
                "FanoutProtocol",
                "FanoutFuzzing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            path: "Tests/ProtocolTests"
        ),
        .testTarget(
            name: "FanoutCoordinatorTests",
            dependencies: [
                "FanoutLocking",
                "FanoutCoordinator",
                "FanoutJobs",
                "FanoutBuiltinJobs",
                "FanoutFlagServer",
                "FanoutTestSupport",
                "FanoutDashboard",
                "FanoutObservability",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "FanoutProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/CoordinatorTests"
        ),
        .testTarget(
            name: "FanoutWorkerTests",
            dependencies: [
                "FanoutWorkerCommandLine",
                "FanoutWorker",
                "FanoutJobs",
                "FanoutBuiltinJobs",
                "FanoutProtocol",
                "FanoutTestSupport",
                "FanoutObservability",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/WorkerTests"
        ),
    ]
)

// The libFuzzer target, only when asked for: it has no main of its own (libFuzzer brings one), so it links only
// in a fuzzing build. See Fuzz/README.md:
//   FANOUT_FUZZ=1 swift build -c release --build-path .build-fuzz --product FrameFuzzer \
//       --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
if Context.environment["FANOUT_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "FrameFuzzer",
            dependencies: ["FanoutFuzzing"],
            path: "Fuzz/FrameFuzzer",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    )
}
