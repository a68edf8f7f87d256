import ProxyCore
import ProxyHTTPServer

/// A small in-process endpoint: collects the body (capped), then answers from a closure.
/// Used by the admin and metrics listeners, never by the proxied path.
final class LocalEndpointHandler: HTTPRequestHandler {
    typealias Respond = (HTTPRequestHead, [UInt8], HTTPResponseWriter) -> Void
    private let respond: Respond

    init(_ respond: @escaping Respond) { self.respond = respond }

    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        Exchange(head: head, response: response, respond: respond)
    }

    private final class Exchange: HTTPExchange {
        let head: HTTPRequestHead
        let response: HTTPResponseWriter
        let respond: Respond
        var body: [UInt8] = []

        init(head: HTTPRequestHead, response: HTTPResponseWriter, respond: @escaping Respond) {
            self.head = head
            self.response = response
            self.respond = respond
        }

        func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {
            if body.count + bytes.count <= 1 << 20 { body += bytes }
        }

        func requestEnded(trailers: HTTPHeaders) { respond(head, body, response) }
    }
}

extension HTTPResponseWriter {
    func respondJSON(_ status: Int, _ value: JSONValue) {
        var body = JSONWriter.write(value, options: [.pretty])
        body.append(UInt8(ascii: "\n"))
        respond(status: status, headers: ["content-type": "application/json"], body: body)
    }
}
