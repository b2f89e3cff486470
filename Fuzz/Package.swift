// swift-tools-version:5.4
// libFuzzer targets for the protocol and compression layers. Built only by
// scripts/fuzz.sh, with `-sanitize=fuzzer,address`, so a package of its own:
// the library's plain `swift build` / `swift test` never see these targets.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's
// entry point to `<Module>_main` and links with `--defsym main=<Module>_main`,
// which collides with the `main` libFuzzer brings. Each target is parsed as a
// library (no top-level code, hence no `main` of its own) and only exports
// `LLVMFuzzerTestOneInput`, which libFuzzer's `main` drives.
import PackageDescription

let library = "libwebsockets"
let asLibrary: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

/// One fuzz target: `Sources/<name>`, linked with the shared harness code.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, swiftSettings: asLibrary)
}

let package = Package(
    name: "libwebsockets-fuzz",
    dependencies: [
        .package(name: library, path: ".."),
    ],
    targets: [
        // Reading configuration and split points out of the fuzzer's bytes.
        .target(name: "FuzzSupport"),
        fuzzTarget("FuzzFrameDecoder", [.product(name: "WebSocketProtocol", package: library)]),
        fuzzTarget("FuzzHTTPHead", [.product(name: "WebSocketProtocol", package: library)]),
        fuzzTarget("FuzzExtensionHeader", [.product(name: "WebSocketCompression", package: library)]),
        fuzzTarget("FuzzInflate", [.product(name: "WebSocketCompression", package: library)]),
        fuzzTarget("FuzzDeflateRoundTrip", [.product(name: "WebSocketCompression", package: library)]),
        fuzzTarget("FuzzBase64", [.product(name: "WebSocketProtocol", package: library)]),
    ]
)
