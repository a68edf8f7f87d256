/// Provider error bodies rewritten into the shape the client's SDK parses, keeping the
/// provider's message.
///
/// Pure. Recognised inputs: Anthropic's `{"type":"error","error":{"type","message"}}`,
/// OpenAI's and its compatibles' `{"error":{"message","type","param","code"}}` (DeepSeek,
/// vLLM, Azure, whose `code` may be a string such as `"429"` or `"content_filter"`),
/// FastAPI-style `{"detail":…}` and a bare `{"message":…}`. Anything else (not JSON, or
/// another shape) becomes the message itself, cut to `maxRawMessageBytes`.
package enum ProviderErrorBody {
    /// The status and body to send to the client.
    package struct Translation: Hashable, Sendable {
        package var status: Int
        package var body: [UInt8]
    }

    /// The most bytes of an unrecognised body kept as the message.
    package static let maxRawMessageBytes = 1024

    /// `{"error":{"message","type","param","code"}}`.
    package static func openAIError(message: String, type: String, param: JSONValue = .null, code: JSONValue = .null) -> JSONValue {
        .members([("error", .members([("message", .string(message)), ("type", .string(type)), ("param", param), ("code", code)]))])
    }

    /// `{"type":"error","error":{"type","message"}}`.
    package static func anthropicError(message: String, type: String) -> JSONValue {
        .members([("type", .string("error")), ("error", .members([("type", .string(type)), ("message", .string(message))]))])
    }

    /// A provider's error answer for a client that speaks OpenAI. Anthropic's 529
    /// (overloaded) becomes 503, which OpenAI clients retry; the caller adds `Retry-After`.
    package static func toOpenAI(status: Int, body: some Collection<UInt8>) -> Translation {
        let read = read(body)
        let type = read.type ?? openAIType(forStatus: status)
        let error = openAIError(message: read.message, type: type, param: read.param, code: read.code)
        return Translation(status: status == 529 ? 503 : status, body: JSONWriter.write(error))
    }

    /// A provider's (or the sidecar's own) error answer for a client that speaks Anthropic.
    /// The type follows the status, as Anthropic's does; 529 stays 529 (Anthropic clients know it).
    package static func toAnthropic(status: Int, body: some Collection<UInt8>) -> Translation {
        let read = read(body)
        let type = status == 529 ? "overloaded_error" : anthropicType(forStatus: status)
        return Translation(status: status, body: JSONWriter.write(anthropicError(message: read.message, type: type)))
    }

    /// Whether `body` is already an error in `shape`, every member its SDK reads present:
    /// OpenAI's `{"error":{"message","type","param","code"}}` (`message` a string, the others
    /// of any value; more members, such as Azure's `innererror`, are allowed), Anthropic's
    /// `{"type":"error","error":{"type","message"}}` with strings.
    package static func isShaped(_ body: some Collection<UInt8>, as shape: ClientErrorShape) -> Bool {
        guard case .object(let object)? = try? JSONParser.parse(body), case .object(let error)? = object["error"],
              case .string? = error["message"] else { return false }
        switch shape {
        case .openAI:
            return error["type"] != nil && error["param"] != nil && error["code"] != nil
        case .anthropic:
            guard case .string("error")? = object["type"], case .string? = error["type"] else { return false }
            return true
        }
    }

    /// OpenAI's error type for an HTTP status.
    package static func openAIType(forStatus status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }

    /// Anthropic's error type for an HTTP status (its documented table).
    package static func anthropicType(forStatus status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 503, 529: "overloaded_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }

    private struct Read {
        var message: String
        var type: String? = nil
        var param: JSONValue = .null
        var code: JSONValue = .null
    }

    private static func read(_ body: some Collection<UInt8>) -> Read {
        let raw = String(decoding: body.prefix(maxRawMessageBytes), as: UTF8.self)
        guard case .object(let object)? = try? JSONParser.parse(body) else { return Read(message: raw) }
        if case .object(let error)? = object["error"] {
            guard case .string(let message)? = error["message"] else { return Read(message: raw) }
            var read = Read(message: message)
            if case .string(let type)? = error["type"] { read.type = type }
            if let param = error["param"], case .string = param { read.param = param }
            // Azure sends its code as a string ("429", "content_filter"), OpenAI as a string or null.
            switch error["code"] {
            case let code? where code.isStringOrNumber: read.code = code
            default: break
            }
            return read
        }
        if case .string(let message)? = object["detail"] ?? object["message"] { return Read(message: message) }
        if let detail = object["detail"] { return Read(message: String(decoding: JSONWriter.write(detail), as: UTF8.self)) }
        return Read(message: raw)
    }
}

private extension JSONValue {
    var isStringOrNumber: Bool {
        switch self {
        case .string, .number: true
        default: false
        }
    }
}
