/// The request methods Sluice serves. Any other syntactically valid method is answered with 501
/// (RFC 9110 §9.1: "An origin server that receives a request method that is unrecognized or not
/// implemented SHOULD respond with the 501 (Not Implemented) status code").
package enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case options = "OPTIONS"
    case patch = "PATCH"

    /// The method whose name is exactly `bytes` (method names are case-sensitive, RFC 9110 §9.1),
    /// or nil. Compares bytes; builds no String.
    init?(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3:
            if HTTP1Bytes.equals(bytes, "GET") { self = .get; return }
            if HTTP1Bytes.equals(bytes, "PUT") { self = .put; return }
        case 4:
            if HTTP1Bytes.equals(bytes, "POST") { self = .post; return }
            if HTTP1Bytes.equals(bytes, "HEAD") { self = .head; return }
        case 5:
            if HTTP1Bytes.equals(bytes, "PATCH") { self = .patch; return }
        case 6:
            if HTTP1Bytes.equals(bytes, "DELETE") { self = .delete; return }
        case 7:
            if HTTP1Bytes.equals(bytes, "OPTIONS") { self = .options; return }
        default:
            break
        }
        return nil
    }
}
