/// A `JSONSyntaxVisitor` that picks out of one provider JSON object (a whole response body
/// or one streamed chunk) what token accounting needs, in the single validating pass of
/// `JSONSyntaxWalker`, without building a tree or allocating.
///
/// It reads the top-level `usage` object (OpenAI, DeepSeek, embeddings, Anthropic bodies
/// and `message_delta`), `message.usage` (Anthropic `message_start`), the top-level `type`
/// string (Anthropic's event type), whether `choices` is an empty array, and where the
/// `usage` member sits, so a stream filter can remove it. Only the first top-level `usage`
/// member counts; a repeated one is ignored.
struct UsageFieldCollector: JSONSyntaxVisitor {
    /// The keys the collector recognises (a byte each in the key path; 0 is none).
    enum Key: UInt8 {
        case usage = 1, choices, type, message
        case promptTokens, completionTokens, promptTokensDetails, completionTokensDetails, promptCacheHitTokens
        case inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens
        case cachedTokens, reasoningTokens

        var name: StaticString {
            switch self {
            case .usage: "usage"
            case .choices: "choices"
            case .type: "type"
            case .message: "message"
            case .promptTokens: "prompt_tokens"
            case .completionTokens: "completion_tokens"
            case .promptTokensDetails: "prompt_tokens_details"
            case .completionTokensDetails: "completion_tokens_details"
            case .promptCacheHitTokens: "prompt_cache_hit_tokens"
            case .inputTokens: "input_tokens"
            case .outputTokens: "output_tokens"
            case .cacheReadInputTokens: "cache_read_input_tokens"
            case .cacheCreationInputTokens: "cache_creation_input_tokens"
            case .cachedTokens: "cached_tokens"
            case .reasoningTokens: "reasoning_tokens"
            }
        }
    }

    /// Which keys can appear where the collector is; a member of any other object is skipped.
    private enum Members {
        case topLevel, message, usage, promptDetails, completionDetails
    }

    /// The JSON kind of the top-level `usage` value, if the member is present.
    private(set) var usageKind: JSONValueKind?
    /// Numbers read from the top-level `usage` object.
    private(set) var usage = UsageFields()
    /// Numbers read from `message.usage` (Anthropic `message_start`).
    private(set) var messageUsage = UsageFields()
    /// The byte range of the top-level `type` string, quotes included.
    private(set) var typeRange: Range<Int>?
    /// True when `choices` is present and an empty array.
    private(set) var choicesIsEmptyArray = false

    private let buffer: UnsafeRawBufferPointer
    private var depth = 0
    // The recognised key of the current member at each container depth 1...8, one byte
    // each (0: none or not recognised); deeper levels hold nothing the collector reads.
    private var path: UInt64 = 0
    private var usageKeyOffset: Int?
    private var usageValueEnd = 0
    private var choicesStart = 0

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// The bytes to cut so that the top-level `"usage": null` member disappears with one of
    /// its commas (the one before it, else the one after it), leaving valid JSON with the
    /// other members byte for byte. Nil unless the member is present and `null`.
    var nullUsageMemberRemoval: Range<Int>? {
        guard usageKind == .null, let keyStart = usageKeyOffset else { return nil }
        var before = keyStart
        while before > 0, JSONLexer.isWhitespace(buffer[before - 1]) { before -= 1 }
        if before > 0, buffer[before - 1] == UInt8(ascii: ",") { return before - 1..<usageValueEnd }
        var after = usageValueEnd
        while after < buffer.count, JSONLexer.isWhitespace(buffer[after]) { after += 1 }
        if after < buffer.count, buffer[after] == UInt8(ascii: ",") { return keyStart..<after + 1 }
        return keyStart..<usageValueEnd
    }

    /// Whether the top-level `type` is the string `expected` (compared as raw bytes: event
    /// types are plain ASCII and never escaped).
    func typeIs(_ expected: StaticString) -> Bool {
        guard let range = typeRange, range.count == expected.utf8CodeUnitCount + 2 else { return false }
        let content = UnsafeRawBufferPointer(rebasing: buffer[range.lowerBound + 1..<range.upperBound - 1])
        return content.elementsEqual(UnsafeRawBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        depth += 1
        setKey(nil, at: depth)
        let parent = depth == 2 ? Self.key(in: path, at: 1) : nil
        if parent == .usage {
            usageKind = isObject ? .object : .array
        } else if parent == .choices, !isObject {
            choicesStart = offset
        }
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        let parent = depth == 2 ? Self.key(in: path, at: 1) : nil
        if parent == .usage {
            usageValueEnd = end
        } else if parent == .choices, !isObject {
            choicesIsEmptyArray = JSONLexer.skipWhitespace(buffer, from: choicesStart + 1) == end - 1
        }
        depth -= 1
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        guard depth <= 8 else { return }
        let path = self.path
        let members: Members
        if depth == 1 {
            members = .topLevel
        } else if depth == 2, Self.key(in: path, at: 1) == .message {
            members = .message
        } else if Self.isUsageObject(path, at: depth) {
            members = .usage
        } else if Self.isUsageObject(path, at: depth - 1), Self.key(in: path, at: depth - 1) == .promptTokensDetails {
            members = .promptDetails
        } else if Self.isUsageObject(path, at: depth - 1), Self.key(in: path, at: depth - 1) == .completionTokensDetails {
            members = .completionDetails
        } else {
            setKey(nil, at: depth)
            return
        }
        var found = Self.find(members, buffer, content: content, escaped: escaped)
        if depth == 1, found == .usage {
            // Only the first `usage` member counts.
            if usageKeyOffset != nil { found = nil } else { usageKeyOffset = offset }
        }
        setKey(found, at: depth)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        guard depth <= 8 else { return }
        let path = self.path
        if depth == 1 {
            switch Self.key(in: path, at: 1) {
            case .type? where kind == .string && typeRange == nil: typeRange = range
            case .usage?:
                usageKind = kind
                usageValueEnd = range.upperBound
            default: break
            }
            return
        }
        let root: Int
        if Self.isUsageObject(path, at: depth) {
            root = depth
        } else if Self.isUsageObject(path, at: depth - 1) {
            root = depth - 1
        } else {
            return
        }
        guard let field = Self.key(in: path, at: depth) else { return }
        // A count must be a non-negative integer that fits; anything else counts as absent.
        let number = kind == .number ? JSONFieldScanner.decodeInt(buffer, at: range).flatMap { $0 >= 0 ? $0 : nil } : nil
        if root == 2 {
            Self.store(number, field, in: &usage)
        } else {
            Self.store(number, field, in: &messageUsage)
        }
    }

    /// The key among `members` that the content names, if any. Literal names and a length check
    /// first: no array of candidates, nothing retained, on every key of every body and chunk.
    private static func find(_ members: Members, _ buffer: UnsafeRawBufferPointer, content: Range<Int>, escaped: Bool) -> Key? {
        func named(_ key: Key) -> Key? {
            let name = key.name
            // Unescaped content matches only a name of its own length: one comparison per candidate.
            if !escaped, name.utf8CodeUnitCount != content.count { return nil }
            return JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: name) ? key : nil
        }
        switch members {
        case .topLevel:
            return named(.usage) ?? named(.choices) ?? named(.type) ?? named(.message)
        case .message:
            return named(.usage)
        case .usage:
            return named(.promptTokens) ?? named(.completionTokens) ?? named(.promptTokensDetails)
                ?? named(.completionTokensDetails) ?? named(.promptCacheHitTokens) ?? named(.inputTokens)
                ?? named(.outputTokens) ?? named(.cacheReadInputTokens) ?? named(.cacheCreationInputTokens)
        case .promptDetails:
            return named(.cachedTokens)
        case .completionDetails:
            return named(.reasoningTokens)
        }
    }

    // MARK: Path

    // Static functions of `path` rather than methods: calling a method on `self` from a
    // mutating one makes the compiler copy the whole collector, on every key of every chunk.
    private static func key(in path: UInt64, at level: Int) -> Key? {
        Key(rawValue: JSONKeyPath.key(in: path, at: level))
    }

    private mutating func setKey(_ key: Key?, at level: Int) {
        path = JSONKeyPath.setting(key?.rawValue ?? 0, at: level, in: path)
    }

    /// Whether the container at `level` is the top-level `usage` object or `message.usage`.
    private static func isUsageObject(_ path: UInt64, at level: Int) -> Bool {
        (level == 2 && key(in: path, at: 1) == .usage)
            || (level == 3 && key(in: path, at: 1) == .message && key(in: path, at: 2) == .usage)
    }

    private static func store(_ number: Int?, _ field: Key, in fields: inout UsageFields) {
        guard let number else { return }
        switch field {
        case .promptTokens: fields.promptTokens = number
        case .completionTokens: fields.completionTokens = number
        case .promptCacheHitTokens: fields.promptCacheHitTokens = number
        case .inputTokens: fields.inputTokens = number
        case .outputTokens: fields.outputTokens = number
        case .cacheReadInputTokens: fields.cacheReadInputTokens = number
        case .cacheCreationInputTokens: fields.cacheCreationInputTokens = number
        case .cachedTokens: fields.cachedTokens = number
        case .reasoningTokens: fields.reasoningTokens = number
        default: break
        }
    }
}
