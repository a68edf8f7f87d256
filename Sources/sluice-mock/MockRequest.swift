import ProxyCore

/// What the mock reads from a request body: the fields that shape its answer.
struct MockRequest {
    var model: String?
    var stream = false
    var includeUsage = false
    /// `max_tokens`, `max_completion_tokens` (OpenAI) or Anthropic's required `max_tokens`.
    var maxTokens: Int?
    /// A deterministic prompt-token estimate: the prompt's JSON bytes / 4, at least 1.
    var promptTokens = 1
    /// For embeddings: the input strings.
    var inputs: [String] = []
    /// The conversation holds a tool's result (OpenAI's `tool_call_id`, Anthropic's `tool_result`).
    var hasToolResult = false

    private static let keys: [[UInt8]] = ["model", "stream", "stream_options", "max_tokens", "max_completion_tokens",
                                         "messages", "prompt", "input", "system"].map { Array($0.utf8) }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        let needle = Array(needle.utf8)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if (0..<needle.count).allSatisfy({ haystack[start + $0] == needle[$0] }) { return true }
        }
        return false
    }

    /// Reads the body; returns a message when it is not a JSON object or a field has the wrong type.
    static func parse(_ body: [UInt8]) -> Result<MockRequest, MockRequestError> {
        body.withUnsafeBytes { buffer -> Result<MockRequest, MockRequestError> in
            let ranges: [Range<Int>?]
            switch JSONFieldScanner.scanTopLevel(buffer, keys: keys) {
            case .success(let found): ranges = found
            case .failure(let error): return .failure(MockRequestError("request body is not valid JSON: \(error)"))
            }
            var request = MockRequest()
            if let range = ranges[0] {
                guard let model = JSONFieldScanner.decodeString(buffer, at: range) else { return .failure(MockRequestError("model must be a string")) }
                request.model = model
            }
            if let range = ranges[1] {
                guard let stream = JSONFieldScanner.decodeBool(buffer, at: range) else { return .failure(MockRequestError("stream must be a boolean")) }
                request.stream = stream
            }
            if let range = ranges[2] {
                let options = UnsafeRawBufferPointer(rebasing: buffer[range])
                if case .success(let inner) = JSONFieldScanner.scanTopLevel(options, keys: [Array("include_usage".utf8)]),
                   let usage = inner[0] {
                    request.includeUsage = JSONFieldScanner.decodeBool(options, at: usage) ?? false
                }
            }
            for index in [3, 4] {
                if let range = ranges[index] {
                    guard let value = JSONFieldScanner.decodeInt(buffer, at: range), value >= 0 else {
                        return .failure(MockRequestError("max_tokens must be a non-negative integer"))
                    }
                    request.maxTokens = value
                }
            }
            let promptBytes = [5, 6, 7, 8].compactMap { ranges[$0]?.count }.reduce(0, +)
            request.promptTokens = max(1, promptBytes / 4)
            if let range = ranges[5] {
                let messages = UnsafeRawBufferPointer(rebasing: buffer[range])
                request.hasToolResult = Self.contains(messages, "\"tool_call_id\"") || Self.contains(messages, "\"tool_result\"")
            }
            if let range = ranges[7] {
                if let single = JSONFieldScanner.decodeString(buffer, at: range) {
                    request.inputs = [single]
                } else if case .success(.array(let items)) = Result(catching: { () throws(JSONParseError) -> JSONValue in
                    try JSONParser.parse(UnsafeRawBufferPointer(rebasing: buffer[range]))
                }) {
                    request.inputs = items.map { item in
                        if case .string(let text) = item { return text }
                        return "\(item)"
                    }
                }
            }
            return .success(request)
        }
    }
}

/// Why a request body cannot be answered; the message goes into the provider-shaped 400.
struct MockRequestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
