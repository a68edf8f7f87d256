import ProxyCore

/// A small in-process endpoint: collects the request body (up to `maxBodyBytes`; the rest is
/// dropped), then answers from a closure on the loop. For admin, metrics and webhook
/// listeners, whose requests are small and whose answers are quick; never the proxied path.
package final class BufferedRequestHandler: HTTPRequestHandler {
    package typealias Respond = (HTTPRequestHead, [UInt8], HTTPResponseWriter) -> Void
    private let maxBodyBytes: Int
    private let respond: Respond

    package init(maxBodyBytes: Int = 1 << 20, _ respond: @escaping Respond) {
        self.maxBodyBytes = maxBodyBytes
        self.respond = respond
    }

    package func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        Exchange(head: head, response: response, handler: self)
    }

    private final class Exchange: HTTPExchange {
        let head: HTTPRequestHead
        let response: HTTPResponseWriter
        let handler: BufferedRequestHandler
        var body: [UInt8] = []

        init(head: HTTPRequestHead, response: HTTPResponseWriter, handler: BufferedRequestHandler) {
            self.head = head
            self.response = response
            self.handler = handler
        }

        func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {
            if body.count + bytes.count <= handler.maxBodyBytes { body += bytes }
        }

        func requestEnded(trailers: HTTPHeaders) { handler.respond(head, body, response) }
    }
}
