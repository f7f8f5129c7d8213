// swift-tools-version:6.0
import PackageDescription

// Micro-benchmarks of seccam-engine (demux, decode, decode + gray, detector per frame), run by
// Benchmarks/bench.py (`make bench`). Built on its own: `swift build -c release --package-path Benchmarks`
// (its .build stays under Benchmarks/, gitignored).
let package = Package(
    name: "seccam-benchmarks",
    dependencies: [
        .package(name: "seccam-engine", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "seccam-bench",
            dependencies: [
                .product(name: "SeccamEngine", package: "seccam-engine"),
                .product(name: "SeccamMotion", package: "seccam-engine"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
