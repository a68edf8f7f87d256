// swift-tools-version: 6.0
// Sluice: an AI traffic sidecar for Kubernetes. No package dependencies: the
// toolchain plus the system libraries libcurl and OpenSSL (see DESIGN.md).
import PackageDescription

let package = Package(
    name: "sluice",
    targets: [
        // C: epoll, eventfd, timerfd, inotify, signalfd, accept4 (Glibc's module lacks them).
        .target(name: "CLinuxShims"),
        // C: libcurl, with typed wrappers for its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Pure values: parsers, config, routing, policy state machines. No syscalls, no clock reads.
        .target(name: "ProxyCore"),

        // Event loops, sockets, syscalls: the only place that talks to the kernel.
        .target(name: "ProxyIO", dependencies: ["ProxyCore", "CLinuxShims"]),

        // Inbound HTTP/1.1 on the loops: keep-alive, limits, timeouts, streaming, drain.
        .target(name: "ProxyHTTPServer", dependencies: ["ProxyCore", "ProxyIO"]),

        // The mock LLM provider for tests, the demo and the benchmark.
        .executableTarget(name: "sluice-mock", dependencies: ["ProxyCore", "ProxyIO", "ProxyHTTPServer"]),

        // A small Kubernetes client on libcurl (control plane): auth, REST, watch, informers, leases.
        .target(name: "KubeAPI", dependencies: ["ProxyCore", "ProxyIO", "CCurl"]),

        .testTarget(name: "ProxyCoreTests", dependencies: ["ProxyCore"]),
        .testTarget(name: "ProxyIOTests", dependencies: ["ProxyIO", "ProxyCore"]),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI", "ProxyCore"]),
    ]
)
