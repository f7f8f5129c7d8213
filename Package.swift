// swift-tools-version:6.0
import PackageDescription

// MARK: - Targets
// Module boundaries (see docs in README "Layout"):
//   CSeccamFFmpeg  <- SeccamMedia  (the only Swift module importing FFmpeg)
//   SeccamMotion   (pure Swift, no C): dvr-scan-compatible detector
//   SeccamEngine   <- Media + Motion: scan/run orchestration, public API for embedding
//   SeccamCLI      <- Engine: the thin `seccam-engine` executable

let ffmpegProviders: [SystemPackageProvider] = [
    .apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libavdevice-dev"]),
]

let package = Package(
    name: "seccam-engine",
    products: [
        .library(name: "SeccamEngine", targets: ["SeccamEngine"]),
        .library(name: "SeccamMotion", targets: ["SeccamMotion"]),
        .executable(name: "seccam-engine", targets: ["SeccamCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CSeccamFFmpeg", pkgConfig: "libavformat", providers: ffmpegProviders),
        .target(name: "CSeccamFFmpegSupport", dependencies: ["CSeccamFFmpeg"]),
        .target(name: "SeccamMotion"),
        .target(
            name: "SeccamMedia",
            dependencies: ["CSeccamFFmpeg", "CSeccamFFmpegSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SeccamEngine",
            dependencies: ["SeccamMedia", "SeccamMotion", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "SeccamCLI",
            dependencies: [
                "SeccamEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Tests
        .target(name: "SeccamTestSupport", path: "Tests/SeccamTestSupport"),
        .testTarget(name: "SeccamMotionTests", dependencies: ["SeccamMotion", "SeccamTestSupport"]),
        .testTarget(name: "SeccamMediaTests", dependencies: ["SeccamMedia", "SeccamTestSupport"]),
        .testTarget(name: "SeccamEngineTests", dependencies: ["SeccamEngine", "SeccamTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
