import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// What every loop of the mock shares: behaviours, stats and the `created` timestamp.
struct MockContext: Sendable {
    let models: MockModels
    let stats: MockStats
    /// Seconds since the epoch at start-up, used as every answer's `created`, so equal
    /// requests get byte-identical answers for the life of the process.
    let created: UInt64
}

/// The mock's request handler on one loop.
final class MockHandler: HTTPRequestHandler {
    private let context: MockContext
    private let loop: EventLoop

    init(context: MockContext, loop: EventLoop) {
        self.context = context
        self.loop = loop
    }

    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        MockExchange(head: head, response: response, context: context, loop: loop)
    }
}
