import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// The metrics listener (0.0.0.0 by default, for Prometheus and the kubelet's probes):
/// only `/metrics`, `/healthz` and `/readyz`.
extension DataPlane {
    package func makeMetricsHandler(_ loop: EventLoop, metrics: @escaping @Sendable (String?) -> (String, [UInt8])) -> any HTTPRequestHandler {
        BufferedRequestHandler { [self] head, _, response in
            switch (head.method, head.path) {
            case (.get, "/healthz"):
                response.respondJSON(200, .object(JSONObject([("status", .string("ok"))])))
            case (.get, "/readyz"):
                let ready = isReady
                response.respondJSON(ready ? 200 : 503, .object(JSONObject([("status", .string(ready ? "ready" : "not ready"))])))
            case (.get, "/metrics"):
                let (contentType, body) = metrics(head.headers.first("accept"))
                response.respond(status: 200, headers: ["content-type": contentType], body: body)
            default:
                response.respondWithError(status: 404, code: "not_found", message: "metrics endpoints: /metrics, /healthz, /readyz")
            }
        }
    }
}
