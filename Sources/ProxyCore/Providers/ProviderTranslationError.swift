/// Why a body could not be translated from one provider's wire format to another's.
///
/// A value the caller answers with (a 400 in the client's shape for a request, a 502 for an
/// answer), never a trap. `path` names the offending value in the input document, spelled as
/// `JSONPath` spells it (`messages[2].content[0].image_url.url`); `""` is the whole body.
package enum ProviderTranslationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The body is not one JSON document.
    case invalidJSON(JSONParseError)
    /// A required member is absent (or `null`).
    case missingField(path: String)
    /// A value has the wrong JSON type, e.g. a number where a string belongs.
    case wrongType(path: String, expected: String)
    /// The value is well formed but the target API has no way to express it.
    case unsupported(path: String, reason: String)
    /// A number is outside the range the target API accepts.
    case outOfRange(path: String, reason: String)

    /// Where in the input the problem is; `""` for the whole body.
    package var path: String {
        switch self {
        case .invalidJSON: ""
        case .missingField(let path), .wrongType(let path, _), .unsupported(let path, _), .outOfRange(let path, _): path
        }
    }

    /// A sentence for the client, naming the path.
    package var message: String {
        switch self {
        case .invalidJSON(let error): "the body is not valid JSON: \(error)"
        case .missingField(let path): "\(path) is required"
        case .wrongType(let path, let expected): "\(path) must be \(expected)"
        case .unsupported(let path, let reason), .outOfRange(let path, let reason): "\(path.isEmpty ? "the body" : path): \(reason)"
        }
    }

    package var description: String { message }
}
