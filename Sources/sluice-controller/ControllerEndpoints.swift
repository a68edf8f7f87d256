import GatewayController
import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// `/healthz` (the process runs), `/readyz` (every informer has listed) and `/metrics` on the
/// controller's metrics listener. One instance per event loop; called on its loop, never blocks.
final class ControllerEndpoints: HTTPRequestHandler {
    private let registry: MetricsRegistry
    private let isReady: @Sendable () -> Bool

    init(registry: MetricsRegistry, isReady: @escaping @Sendable () -> Bool) {
        self.registry = registry
        self.isReady = isReady
    }

    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        Exchange(head: head, response: response, registry: registry, isReady: isReady)
    }

    private final class Exchange: HTTPExchange {
        let head: HTTPRequestHead
        let response: HTTPResponseWriter
        let registry: MetricsRegistry
        let isReady: @Sendable () -> Bool

        init(head: HTTPRequestHead, response: HTTPResponseWriter, registry: MetricsRegistry, isReady: @escaping @Sendable () -> Bool) {
            self.head = head
            self.response = response
            self.registry = registry
            self.isReady = isReady
        }

        func requestEnded(trailers: HTTPHeaders) {
            switch (head.method, head.path) {
            case (.get, "/healthz"):
                respond(200, #"{"status":"ok"}"#)
            case (.get, "/readyz"):
                let ready = isReady()
                respond(ready ? 200 : 503, ready ? #"{"status":"ready"}"# : #"{"status":"not ready: informers are still listing"}"#)
            case (.get, "/metrics"):
                let format = ExpositionFormat.negotiate(accept: head.headers.first("accept"))
                response.respond(status: 200, headers: ["content-type": format.contentType],
                                 body: PrometheusTextEncoder.encode(registry, format: format))
            default:
                response.respondWithError(status: 404, code: "not_found", message: "controller endpoints: /metrics, /healthz, /readyz")
            }
        }

        private func respond(_ status: Int, _ body: String) {
            response.respond(status: status, headers: ["content-type": "application/json"], body: Array((body + "\n").utf8))
        }
    }
}
