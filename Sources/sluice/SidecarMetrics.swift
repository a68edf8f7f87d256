import ProxyCore
import ProxyDataPlane
import ProxyIO

/// The sidecar's Prometheus registry. Request metrics arrive with the observability work;
/// this holds what exists today: build info, config reloads, readiness.
final class SidecarMetrics: Sendable {
    let registry = MetricsRegistry()

    init(dataPlane: DataPlane, version: String) {
        let info = registry.gauge(name: "sluice_build_info", help: "Build information; always 1.", labelNames: ["version"])
        info.series(labelValues: [version]).set(1)
        registry.registerCallbackGauge(name: "sluice_ready", help: "1 while the sidecar accepts traffic, 0 while starting or draining.") {
            dataPlane.isReady ? 1 : 0
        }
    }

    /// The exposition for an `Accept` header value: content type and body.
    @Sendable func render(accept: String?) -> (String, [UInt8]) {
        let format = ExpositionFormat.negotiate(accept: accept)
        return (format.contentType, PrometheusTextEncoder.encode(registry, format: format))
    }
}

/// Operational events the main writes before the data plane exists.
enum DataPlaneEvents {
    static func fatal(_ message: String) -> String {
        var line: [UInt8] = Array(#"{"event":"fatal","error":"#.utf8)
        JSONWriter.appendString(message, to: &line)
        line += "}".utf8
        return String(decoding: line, as: UTF8.self)
    }
}
