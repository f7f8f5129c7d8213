// swift-tools-version:6.0
import PackageDescription

// MARK: - Targets
// Module boundaries (see docs in README "Layout"):
//   CSeccamFFmpeg  <- SeccamMedia  (the only Swift module importing FFmpeg)
//   SeccamMotion   dvr-scan-compatible detector in Swift; its one hot kernel (MOG2, AVX2, no FMA) is the C
//                  target CSeccamMOG2, checked against the Swift scalar reference
//   SeccamClips    <- Media: pre-roll packet buffer, clip writer (stream copy), crash-safe clip files
//   SeccamSpool    <- CSeccamCurl (the only module importing libcurl): durable upload spool, S3/HTTP targets, notifications
//   SeccamEngine   <- Media + Motion + Clips + Spool: scan/run orchestration, public API for embedding
//   SeccamMetrics  <- Engine: Prometheus /metrics and /healthz over a small HTTP server (kept out of the
//                  embeddable Engine so embedders do not pull an HTTP server)
//   SeccamCLI      <- Engine + Metrics: the thin `seccam-engine` executable

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
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),  // LogHandler.log(event:)
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
    ],
    targets: [
        .systemLibrary(name: "CSeccamFFmpeg", pkgConfig: "libavformat", providers: ffmpegProviders),
        .target(name: "CSeccamFFmpegSupport", dependencies: ["CSeccamFFmpeg"]),
        .target(name: "CSeccamMOG2"),
        .systemLibrary(name: "CSeccamCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSeccamMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(
            name: "SeccamSpool",
            dependencies: [
                "CSeccamCurl", "CSeccamMosquitto",
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "SeccamMotion", dependencies: ["CSeccamMOG2"]),
        .target(
            name: "SeccamMedia",
            dependencies: ["CSeccamFFmpeg", "CSeccamFFmpegSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SeccamClips",
            dependencies: [
                "SeccamMedia", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SeccamEngine",
            dependencies: [
                "SeccamMedia", "SeccamMotion", "SeccamClips", "SeccamSpool",
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SeccamMetrics",
            dependencies: [
                "SeccamEngine", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        .executableTarget(
            name: "SeccamCLI",
            dependencies: [
                "SeccamEngine", "SeccamMetrics", "SeccamSpool",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Tests
        .target(name: "SeccamTestSupport", path: "Tests/SeccamTestSupport"),
        .testTarget(name: "SeccamMotionTests", dependencies: ["SeccamMotion", "SeccamTestSupport"]),
        .testTarget(name: "SeccamMediaTests", dependencies: ["SeccamMedia", "SeccamTestSupport"]),
        .testTarget(name: "SeccamClipsTests", dependencies: ["SeccamClips", "SeccamTestSupport"]),
        .testTarget(name: "SeccamSpoolTests", dependencies: ["SeccamSpool", "SeccamTestSupport"]),
        .testTarget(
            name: "SeccamEngineTests",
            dependencies: ["SeccamEngine", "SeccamTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
