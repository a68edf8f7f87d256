// swift-tools-version: 6.0
// Sluice: an AI traffic sidecar for Kubernetes. No package dependencies: the
// toolchain plus the system libraries libcurl and OpenSSL (see DESIGN.md).
import PackageDescription

let package = Package(
    name: "sluice",
    targets: [
        // C: epoll, eventfd, timerfd, inotify, signalfd, accept4 (Glibc's module lacks them).
        .target(name: "CLinuxShims"),

        // Pure values: parsers, config, routing, policy state machines. No syscalls, no clock reads.
        .target(name: "ProxyCore"),

        .testTarget(name: "ProxyCoreTests", dependencies: ["ProxyCore"]),

        .target(name: "GatewayController", dependencies: ["ProxyCore"]),

        .testTarget(name: "GatewayControllerTests", dependencies: ["GatewayController", "ProxyCore"]),
    ]
)
