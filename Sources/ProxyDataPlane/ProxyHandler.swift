import ProxyCore
import ProxyHTTPServer

/// The app listener on one loop: every request becomes a `ProxySession`.
final class ProxyHandler: HTTPRequestHandler {
    private let context: LoopContext

    init(context: LoopContext) { self.context = context }

    /// The current snapshot's `defaults.maxRequestBodyBytes`: a reload changes it for the next request.
    var maxRequestBodyBytes: Int? { context.snapshot.maxRequestBodyBytes }

    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        ProxySession(head: head, response: response, loop: context)
    }
}

extension DataPlane {
    /// The handler factory for the app listener. Each loop gets its own context.
    package func makeAppHandler(_ loop: EventLoop) -> any HTTPRequestHandler {
        ProxyHandler(context: attach(loop))
    }
}

import ProxyIO
