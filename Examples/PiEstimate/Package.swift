// swift-tools-version:6.1
import PackageDescription

// A user's own package: one job kind, and one executable that is both its worker and its coordinator.
let package = Package(
    name: "pi-estimate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pi-estimate", targets: ["PiEstimate"])
    ],
    dependencies: [
        // In your own package: .package(url: "https://github.com/…/fanout.git", from: "…")
        .package(name: "fanout", path: "../.."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "PiEstimate",
            dependencies: [
                .product(name: "FanoutJobs", package: "fanout"),
                .product(name: "FanoutBuiltinJobs", package: "fanout"),
                .product(name: "FanoutCoordinator", package: "fanout"),
                .product(name: "FanoutCoordinatorCommandLine", package: "fanout"),
                .product(name: "FanoutWorkerCommandLine", package: "fanout"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        )
    ]
)
