import ProxyCore
import ProxyIO

/// The application side of an HTTP listener, one instance per event loop.
///
/// Called on the loop's thread. Must not block.
package protocol HTTPRequestHandler: AnyObject {
    /// A request head arrived. Return the object that receives its body and the
    /// connection's signals; answer through `response` now or later, on this loop.
    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange
    /// The body limit for the next request, when the handler decides it (nil: the listener's).
    var maxRequestBodyBytes: Int? { get }
}

extension HTTPRequestHandler {
    package var maxRequestBodyBytes: Int? { nil }
}

/// One request/response on a connection, as seen by the application.
///
/// Every method is called on the connection's event loop. Must not block.
package protocol HTTPExchange: AnyObject {
    /// A piece of the request body. The bytes are valid only during the call.
    func requestBodyPart(_ bytes: UnsafeRawBufferPointer)
    /// The request body is complete (trailers may be empty).
    func requestEnded(trailers: HTTPHeaders)
    /// The response writer has room again after reporting `isWritable == false`.
    func responseWritable()
    /// The client went away, or a timeout closed the connection, before the response finished.
    /// Stop producing (cancel upstream work); further writes are ignored.
    func connectionClosed()
}

extension HTTPExchange {
    package func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {}
    package func responseWritable() {}
    package func connectionClosed() {}
}
