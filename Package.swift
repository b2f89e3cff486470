// swift-tools-version:5.9
// SwiftPM builds the library in normal Swift for `swift test`. The shipping
// libwebsockets.so.5 is built by CMake from the same sources in Embedded Swift
// (see CMakeLists.txt), so every source must compile in both modes.
import PackageDescription

let package = Package(
    name: "libwebsockets",
    products: [
        .library(name: "websockets", type: .dynamic, targets: ["LibWebSockets"]),
        // The pure layers on their own, for the libFuzzer targets in Fuzz/, a
        // package of its own (it needs sanitizer flags a plain build must not get).
        .library(name: "WebSocketProtocol", targets: ["WebSocketProtocol"]),
        .library(name: "WebSocketCompression", targets: ["WebSocketCompression"]),
    ],
    targets: [
        // POSIX, OpenSSL, zlib and the public header, plus the one variadic
        // function Swift cannot define (`_lws_log`).
        .target(
            name: "CLibWebSockets",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("z")]
        ),
        // Pure protocol code: no sockets, no C, unit-testable byte by byte.
        .target(name: "WebSocketProtocol"),
        // Context, connections, service loop, transports and the C ABI exports.
        .target(name: "LibWebSockets", dependencies: ["CLibWebSockets", "WebSocketProtocol", "WebSocketCompression"]),
        // zlib, with wrappers for its initialisation macros.
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // Compression extension codecs and their negotiation: no sockets.
        .target(name: "WebSocketCompression", dependencies: ["CZlib", "WebSocketProtocol"]),
        .testTarget(name: "WebSocketProtocolTests", dependencies: ["WebSocketProtocol"]),
        .testTarget(name: "WebSocketCompressionTests", dependencies: ["WebSocketCompression", "WebSocketProtocol"]),
        .testTarget(name: "LibWebSocketsTests", dependencies: ["LibWebSockets", "CLibWebSockets"]),
    ],
    swiftLanguageVersions: [.v5]
)
