/// What the guard needs of one answer or stream event, OpenAI's or Anthropic's. OpenAI (a whole
/// `chat.completion` or one `chat.completion.chunk`): the top-level `id`, `created` and `model`
/// tokens, and per choice its `index`, the `content` and `reasoning_content` strings of its `delta`
/// or `message`, and its
/// `finish_reason`. Anthropic: a whole message's `content[]` blocks as choices (a text block's
/// `text` as content, a thinking block's `thinking` as reasoning) and its `stop_reason`; an
/// event's `type`, `index`, `delta.text` and `delta.thinking`. Ranges are byte offsets into the
/// walked bytes, whole tokens (quotes included).
package struct GuardChoiceFields: Sendable {
    package struct Choice: Sendable {
        package var index = 0
        package var content: Range<Int>?
        /// The `reasoning_content` string of its `delta` or `message` (DeepSeek-R1 and other reasoning models).
        package var reasoning: Range<Int>?
        /// The `finish_reason` token when it is not `null`.
        package var finishReason: Range<Int>?
    }

    package var id: Range<Int>?
    package var created: Range<Int>?
    package var model: Range<Int>?
    package var choices: [Choice] = []
    /// Anthropic: the top-level `type`, `index`, `delta.text`, `delta.thinking` and `stop_reason` tokens.
    package var type: Range<Int>?
    package var index: Int?
    package var deltaText: Range<Int>?
    package var deltaThinking: Range<Int>?
    package var stopReason: Range<Int>?

    /// Whether these are a whole Anthropic message's fields (its content blocks are one answer):
    /// only a message has a top-level `stop_reason`.
    package var isAnthropicMessage: Bool { stopReason != nil }

    /// The fields of `payload`; nil when it is not valid JSON.
    package static func read(_ payload: UnsafeRawBufferPointer) -> GuardChoiceFields? {
        var collector = GuardChoiceCollector(buffer: payload)
        do {
            try JSONSyntaxWalker.walk(payload, maxDepth: 64, visitor: &collector)
        } catch {
            return nil
        }
        return collector.fields
    }
}

/// `GuardChoiceFields`' visitor. Depths: 1 the answer; 2 `choices`; 3 a choice; 4 its `delta` or `message`.
struct GuardChoiceCollector: JSONSyntaxVisitor {
    enum Key { case id, created, model, choices, index, finishReason, delta, content, reasoning, text, thinking, type, stopReason, other }

    private let buffer: UnsafeRawBufferPointer
    private(set) var fields = GuardChoiceFields()
    private var depth = 0
    /// The key being read at each depth (1-based; index 0 unused).
    private var keys: [Key] = [.other, .other, .other, .other, .other]
    private var choicesOpen = false
    private var deltaOpen = false
    /// Anthropic: a whole message's `content` array, and an event's top-level `delta` object.
    private var blocksOpen = false
    private var topDeltaOpen = false

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        let parentKey = depth >= 1 && depth < keys.count ? keys[depth] : .other
        depth += 1
        if depth < keys.count { keys[depth] = .other }
        if depth == 2, parentKey == .choices, !isObject { choicesOpen = true }
        if depth == 2, parentKey == .content, !isObject { blocksOpen = true }
        if depth == 2, parentKey == .delta, isObject { topDeltaOpen = true }
        if depth == 3, choicesOpen || blocksOpen, isObject {
            fields.choices.append(GuardChoiceFields.Choice(index: fields.choices.count))
        }
        if depth == 4, choicesOpen, parentKey == .delta, isObject { deltaOpen = true }
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        if depth == 2 {
            choicesOpen = false
            blocksOpen = false
            topDeltaOpen = false
        }
        if depth == 4 { deltaOpen = false }
        depth -= 1
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        guard depth < keys.count else { return }
        keys[depth] = classify(content, escaped: escaped)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        guard depth >= 1, depth < keys.count else { return }
        let key = keys[depth]
        switch depth {
        case 1:
            if key == .id { fields.id = range }
            if key == .created { fields.created = range }
            if key == .model { fields.model = range }
            if key == .type, kind == .string { fields.type = range }
            if key == .index, kind == .number { fields.index = Int(decimal: buffer[range]) }
            if key == .stopReason, kind != .null { fields.stopReason = range }
        case 2 where topDeltaOpen:
            if key == .text, kind == .string { fields.deltaText = range }
            if key == .thinking, kind == .string { fields.deltaThinking = range }
        case 3 where blocksOpen && !fields.choices.isEmpty:
            if key == .text, kind == .string { fields.choices[fields.choices.count - 1].content = range }
            if key == .thinking, kind == .string { fields.choices[fields.choices.count - 1].reasoning = range }
        case 3 where choicesOpen && !fields.choices.isEmpty:
            if key == .index, kind == .number, let value = Int(decimal: buffer[range]) { fields.choices[fields.choices.count - 1].index = value }
            if key == .finishReason, kind != .null { fields.choices[fields.choices.count - 1].finishReason = range }
        case 4 where deltaOpen && !fields.choices.isEmpty:
            if key == .content, kind == .string { fields.choices[fields.choices.count - 1].content = range }
            if key == .reasoning, kind == .string { fields.choices[fields.choices.count - 1].reasoning = range }
        default:
            break
        }
    }

    private func classify(_ content: Range<Int>, escaped: Bool) -> Key {
        let keys: [(StaticString, Key)] = [("id", .id), ("created", .created), ("model", .model), ("choices", .choices),
                                           ("index", .index), ("finish_reason", .finishReason), ("delta", .delta),
                                           ("message", .delta), ("content", .content), ("text", .text), ("type", .type),
                                           ("stop_reason", .stopReason), ("reasoning_content", .reasoning), ("thinking", .thinking)]
        for (name, key) in keys where JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: name) {
            return key
        }
        return .other
    }
}

extension Int {
    /// A small non-negative decimal integer (a choice index); nil for anything else.
    init?(decimal bytes: Slice<UnsafeRawBufferPointer>) {
        guard !bytes.isEmpty, bytes.count <= 6 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte &- 0x30 < 10 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        self = value
    }
}
