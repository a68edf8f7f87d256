/// `TruncationDetector`'s visitor: finds how an OpenAI or Anthropic JSON body (or one SSE
/// event's data) says the answer ended, without building a tree.
///
/// Looks at `choices[].finish_reason` (OpenAI chat and completions), top-level `stop_reason`
/// (Anthropic messages), `delta.stop_reason` (Anthropic `message_delta` events) and a
/// top-level `type` of `message_stop`. Allocates nothing.
struct FinishReasonCollector: JSONSyntaxVisitor {
    private enum Container { case root, choices, choice, delta, other }
    private enum Key { case none, finishReason, stopReason, choices, delta, type, other }

    private let buffer: UnsafeRawBufferPointer
    private var depth = 0
    // The roles of the containers at depths 2 and 3 (the root object is depth 1).
    private var second = Container.other
    private var third = Container.other
    private var key = Key.none

    /// A finish or stop reason was seen (a final chunk or a complete body).
    private(set) var sawFinishReason = false
    /// The reason was the token limit (`length` or `max_tokens`).
    private(set) var stoppedAtTokenLimit = false
    /// The body is Anthropic's `message_stop` event.
    private(set) var isMessageStop = false

    init(buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        depth += 1
        switch depth {
        case 2: second = key == .choices && !isObject ? .choices : (key == .delta && isObject ? .delta : .other)
        case 3: third = second == .choices && isObject ? .choice : .other
        default: break
        }
        key = .none
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        depth -= 1
        key = .none
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        let role: Container = depth == 1 ? .root : (depth == 2 ? second : (depth == 3 ? third : .other))
        func equals(_ name: StaticString) -> Bool {
            JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: name)
        }
        switch role {
        case .root:
            key = equals("choices") ? .choices : equals("stop_reason") ? .stopReason : equals("delta") ? .delta
                : equals("type") ? .type : .other
        case .choice:
            key = equals("finish_reason") ? .finishReason : .other
        case .delta:
            key = equals("stop_reason") ? .stopReason : .other
        case .choices, .other:
            key = .other
        }
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        defer { key = .none }
        guard kind == .string else { return }
        let content = (range.lowerBound + 1)..<(range.upperBound - 1)
        func equals(_ text: StaticString) -> Bool {
            JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: text)
        }
        switch key {
        case .finishReason:
            sawFinishReason = true
            if equals("length") { stoppedAtTokenLimit = true }
        case .stopReason:
            sawFinishReason = true
            if equals("max_tokens") { stoppedAtTokenLimit = true }
        case .type:
            if depth == 1, equals("message_stop") { isMessageStop = true }
        default:
            break
        }
    }
}
