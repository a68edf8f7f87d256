// swift-tools-version: 6.0
// Sluice: an AI traffic sidecar for Kubernetes. No package dependencies: the
// toolchain plus the system libraries libcurl and OpenSSL (docs/ARCHITECTURE.md).
import PackageDescription

/// Release builds of the request path skip the runtime's exclusivity checks: they were 15% of
/// the instructions per request, and the debug builds the tests run keep them (ADR 0006).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "sluice",
    targets: [
        // C: epoll, eventfd, timerfd, inotify, signalfd, accept4 (Glibc's module lacks them).
        .target(name: "CLinuxShims"),
        // C: libcurl, with typed wrappers for its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // C: OpenSSL, for the TLS servers (admission webhook, mock providers).
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Pure values: parsers, config, routing, policy state machines. No syscalls, no clock reads.
        .target(name: "ProxyCore", swiftSettings: hotPath),

        // Event loops, sockets, syscalls: the only place that talks to the kernel.
        .target(name: "ProxyIO", dependencies: ["ProxyCore", "CLinuxShims", "COpenSSL"], swiftSettings: hotPath),

        // Inbound HTTP/1.1 on the loops: keep-alive, limits, timeouts, streaming, drain.
        .target(name: "ProxyHTTPServer", dependencies: ["ProxyCore", "ProxyIO"], swiftSettings: hotPath),

        // Outbound HTTP through libcurl's multi interface, driven by the loops.
        .target(name: "ProxyUpstream", dependencies: ["ProxyCore", "ProxyIO", "CCurl"], swiftSettings: hotPath),

        // Reads the mounted config and secrets, watches them, validates what it reads.
        .target(name: "ConfigSource", dependencies: ["ProxyCore", "ProxyIO", "CLinuxShims"]),

        // The proxy as named phases, snapshots, admin and metrics endpoints.
        .target(name: "ProxyDataPlane", dependencies: ["ProxyCore", "ProxyIO", "ProxyHTTPServer", "ProxyUpstream", "ConfigSource"], swiftSettings: hotPath),

        // The controller: CRD types, translator (pure), reconciler (on KubeAPI), injector.
        .target(name: "GatewayController", dependencies: ["ProxyCore", "KubeAPI"]),

        // The sidecar.
        .executableTarget(name: "sluice", dependencies: ["ProxyCore", "ProxyIO", "ProxyHTTPServer", "ProxyDataPlane", "ConfigSource"], swiftSettings: hotPath),

        // The controller: CRDs → ConfigMaps (run), and offline render/validate.
        .executableTarget(name: "sluice-controller", dependencies: ["ConfigSource", "GatewayController", "KubeAPI", "KubeYAML", "ProxyCore", "ProxyIO", "ProxyHTTPServer"]),

        // The mock LLM provider for tests, the demo and the benchmark.
        .executableTarget(name: "sluice-mock", dependencies: ["ProxyCore", "ProxyIO", "ProxyHTTPServer"], swiftSettings: hotPath),

        // The YAML that Kubernetes manifests and kubeconfigs use, read into and written from JSON values.
        .target(name: "KubeYAML", dependencies: ["ProxyCore"]),

        // A small Kubernetes client on libcurl (control plane): auth, REST, watch, informers, leases.
        .target(name: "KubeAPI", dependencies: ["ProxyCore", "ProxyIO", "CCurl", "KubeYAML"]),

        .testTarget(name: "ProxyCoreTests", dependencies: ["ProxyCore"],
                    exclude: ["Regex/testdata", "Regex/generate_corpus.py", "Providers/testdata"]),
        .testTarget(name: "ProxyIOTests", dependencies: ["ProxyIO", "ProxyCore"]),
        .testTarget(name: "ProxyUpstreamTests", dependencies: ["ProxyUpstream", "ProxyHTTPServer", "ProxyIO", "ProxyCore"]),
        .testTarget(name: "GatewayControllerTests", dependencies: ["GatewayController", "KubeYAML", "ProxyCore"], exclude: ["testdata"]),
        .target(name: "ProxyTestSupport", dependencies: ["ProxyCore"], path: "Tests/ProxyTestSupport"),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI", "ProxyCore", "ProxyTestSupport"]),
        .testTarget(name: "ProxyDataPlaneTests", dependencies: ["ProxyDataPlane", "ConfigSource", "ProxyCore", "ProxyUpstream", "ProxyTestSupport"]),
        .testTarget(name: "KubeYAMLTests", dependencies: ["KubeYAML", "ProxyCore"]),
    ]
)
