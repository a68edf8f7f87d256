/// The `JSONSyntaxVisitor` behind `RequestNeeds.read`: counts text bytes, messages and images,
/// notes tools, image parts and `response_format`, `max_tokens`, and where the last user
/// message's text sits.
struct RequestNeedsCollector: JSONSyntaxVisitor {
    /// The keys the collector recognises; raw values index `names`.
    enum Key: UInt8 {
        case messages = 1, role, content, type, text, tools, functions, responseFormat
        case maxTokens, maxCompletionTokens, url, data, model

        static let names: [[UInt8]] = [
            [], Array("messages".utf8), Array("role".utf8), Array("content".utf8), Array("type".utf8), Array("text".utf8),
            Array("tools".utf8), Array("functions".utf8), Array("response_format".utf8), Array("max_tokens".utf8),
            Array("max_completion_tokens".utf8), Array("url".utf8), Array("data".utf8), Array("model".utf8),
        ]
        static let all: [Key] = [.messages, .role, .content, .type, .text, .tools, .functions, .responseFormat,
                                 .maxTokens, .maxCompletionTokens, .url, .data, .model]
    }

    private(set) var textBytes = 0
    private(set) var messages = 0
    private(set) var images = 0
    private(set) var capabilities = ModelCapabilities()
    private(set) var maxTokens: Int?
    /// The string tokens (quotes included) of the last user message's text.
    private(set) var lastUserTexts: [Range<Int>] = []

    private let buffer: UnsafeRawBufferPointer
    private var depth = 0
    // `JSONKeyPath`: the recognised key of the current member at each depth 1...8.
    private var path: UInt64 = 0
    private var messageIsUser = false
    private var messageTexts: [Range<Int>] = []

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        depth += 1
        setKey(nil, at: depth)
        guard depth == 3 else { return }
        switch Self.key(in: path, at: 1) {
        case .messages?:
            messages += 1
            messageIsUser = false
            messageTexts.removeAll(keepingCapacity: true)
        case .tools?, .functions?:
            capabilities.insert(.tools)
        default:
            break
        }
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        if depth == 3, Self.key(in: path, at: 1) == .messages, messageIsUser {
            lastUserTexts = messageTexts
        }
        depth -= 1
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        if depth >= 2 { textBytes += content.count }
        guard depth <= 8 else { return }
        var found: Key? = nil
        for candidate in Key.all
        where JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: Key.names[Int(candidate.rawValue)]) {
            found = candidate
            break
        }
        setKey(found, at: depth)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        let key = depth <= 8 ? Self.key(in: path, at: depth) : nil
        if depth == 1 {
            if (key == .maxTokens || key == .maxCompletionTokens), kind == .number {
                maxTokens = JSONFieldScanner.decodeInt(buffer, at: range).flatMap { $0 >= 0 ? $0 : nil }
            }
            if key == .model { return }
        }
        guard kind == .string else { return }
        if key != .url && key != .data { textBytes += range.count - 2 }
        let top = Self.key(in: path, at: 1)
        if top == .messages, depth == 3 {
            if key == .role { messageIsUser = stringIs(range, escaped, "user") }
            if key == .content { messageTexts.append(range) }
        } else if top == .messages, depth == 5, Self.key(in: path, at: 3) == .content {
            if key == .text { messageTexts.append(range) }
            if key == .type, stringIs(range, escaped, "image_url") || stringIs(range, escaped, "image") || stringIs(range, escaped, "input_image") {
                images += 1
                capabilities.insert(.vision)
            }
        } else if top == .responseFormat, depth == 2, key == .type, !stringIs(range, escaped, "text") {
            capabilities.insert(.json)
        }
    }

    /// Whether the string token at `range` (quotes included) is `expected`.
    private func stringIs(_ range: Range<Int>, _ escaped: Bool, _ expected: StaticString) -> Bool {
        JSONStringDecoder.contentEquals(buffer, content: range.lowerBound + 1..<range.upperBound - 1, escaped: escaped, key: expected)
    }

    private static func key(in path: UInt64, at level: Int) -> Key? {
        Key(rawValue: JSONKeyPath.key(in: path, at: level))
    }

    private mutating func setKey(_ key: Key?, at level: Int) {
        path = JSONKeyPath.setting(key?.rawValue ?? 0, at: level, in: path)
    }
}
