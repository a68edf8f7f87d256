#if canImport(ProxyCore)
import ProxyCore  // absent when the fuzz harness compiles this folder with ProxyCore/JSON in one module
#endif

/// Why a watch stream could not be decoded. The stream is unusable after one: reconnect.
package enum WatchDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A line grew past the decoder's limit before its newline arrived.
    case lineTooLong(limit: Int)
    /// A line is not a JSON document.
    case invalidJSON(JSONParseError)
    /// A line is JSON but not `{"type": <known type>, "object": {…}}`.
    case invalidEvent(String)

    package var description: String {
        switch self {
        case .lineTooLong(let limit): "watch event longer than \(limit) bytes"
        case .invalidJSON(let error): "watch event is not JSON: \(error)"
        case .invalidEvent(let why): "invalid watch event: \(why)"
        }
    }
}
