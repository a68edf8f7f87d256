/// One text of a chat request a guard can check: a JSON string value in the body, with the
/// role of the message it belongs to.
package struct GuardMessageText: Hashable, Sendable {
    /// The role (`developer` counts as `system`, `function` and Anthropic `tool_result` blocks
    /// as `tool`); nil for a role the guard does not know.
    package var role: GuardMessageRole?
    /// Which message it belongs to, in body order (Anthropic's top-level `system` is message 0).
    package var message: Int
    /// The whole string token in the body, quotes included.
    package var range: Range<Int>
}

/// Finds the message texts of an OpenAI chat completion body (`messages[].content`, a string
/// or `[{type: "text", text}]` parts) or an Anthropic messages body (`system`, and
/// `messages[].content` as a string or blocks, with `tool_result` blocks' content), in one
/// validating pass that builds no tree. Pure.
package enum GuardMessageExtractor {
    /// The texts in body order; nil when the body is not valid JSON.
    package static func texts(in body: [UInt8]) -> [GuardMessageText]? {
        body.withUnsafeBytes { buffer in
            var collector = GuardMessageCollector(buffer: buffer)
            do {
                try JSONSyntaxWalker.walk(buffer, maxDepth: 128, visitor: &collector)
            } catch {
                return nil
            }
            return collector.texts
        }
    }

    /// The decoded UTF-8 bytes of the string token at `range`.
    package static func decode(_ body: [UInt8], _ range: Range<Int>) -> [UInt8]? {
        body.withUnsafeBytes { buffer in
            JSONStringDecoder.decode(buffer, content: range.lowerBound + 1..<range.upperBound - 1).map { Array($0.utf8) }
        }
    }
}

/// `GuardMessageExtractor`'s visitor. Depths: 1 the body; 2 `messages` (or `system` blocks);
/// 3 a message (or a system block); 4 a message's content parts; 5 a part; 6–7 a
/// `tool_result`'s own content blocks.
struct GuardMessageCollector: JSONSyntaxVisitor {
    enum Key { case messages, system, role, content, text, type, other }
    private struct Frame {
        var isObject: Bool
        /// The member key under which this container sits in its parent (nil in an array or at the root).
        var slot: Key?
        /// The key of the member being read in this object.
        var key: Key?
    }

    private let buffer: UnsafeRawBufferPointer
    private var frames: [Frame] = []
    private(set) var texts: [GuardMessageText] = []
    private var messageCount = 0
    /// The current message's first text and role.
    private var messageFirstText = 0
    private var messageRole: GuardMessageRole?
    /// The current content part's first text and whether it is a `tool_result`.
    private var partFirstText = 0
    private var partIsToolResult = false
    private var inSystem = false

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    private var depth: Int { frames.count }
    private func slot(at depth: Int) -> Key? { depth >= 1 && depth <= frames.count ? frames[depth - 1].slot : nil }
    /// Whether the container at depth 2 is the top-level `messages` array.
    private var inMessages: Bool { frames.count >= 2 && frames[1].slot == .messages }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        let slot = frames.last.flatMap { $0.isObject ? $0.key : nil }
        frames.append(Frame(isObject: isObject, slot: slot, key: nil))
        if depth == 2, slot == .system { inSystem = true; beginMessage(role: .system) }
        if depth == 3, inMessages, isObject { beginMessage(role: nil) }
        if depth == 5, inMessages, isObject {
            partFirstText = texts.count
            partIsToolResult = false
        }
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        if depth == 3, inMessages, isObject { endMessage() }
        if depth == 2, inSystem { inSystem = false; endMessage() }
        if depth == 5, inMessages, isObject, partIsToolResult {
            for index in partFirstText..<texts.count { texts[index].role = .tool }
        }
        frames.removeLast()
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        guard depth >= 1 else { return }
        frames[depth - 1].key = classify(content, escaped: escaped)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        guard let key = frames.last?.key, frames.last?.isObject == true else { return }
        switch depth {
        case 1:
            if key == .system, kind == .string { beginMessage(role: .system); addText(range); endMessage() }
        case 3 where inMessages:
            if key == .role, kind == .string { messageRole = role(range) }
            if key == .content, kind == .string { addText(range) }
        case 3 where inSystem:
            if key == .text, kind == .string { addText(range) }
        case 5 where inMessages && slot(at: 4) == .content:
            if key == .text, kind == .string { addText(range) }
            if key == .content, kind == .string { addText(range) }
            if key == .type, kind == .string, equals(range, "\"tool_result\"") { partIsToolResult = true }
        case 7 where inMessages && slot(at: 6) == .content:
            if key == .text, kind == .string { addText(range) }
        default:
            break
        }
    }

    private mutating func beginMessage(role: GuardMessageRole?) {
        messageFirstText = texts.count
        messageRole = role
    }

    private mutating func endMessage() {
        // A tool_result block's texts are already marked `tool`.
        for index in messageFirstText..<texts.count where texts[index].role == nil { texts[index].role = messageRole }
        messageCount += 1
    }

    private mutating func addText(_ range: Range<Int>) {
        texts.append(GuardMessageText(role: nil, message: messageCount, range: range))
    }

    private func role(_ range: Range<Int>) -> GuardMessageRole? {
        if equals(range, "\"user\"") { return .user }
        if equals(range, "\"system\"") || equals(range, "\"developer\"") { return .system }
        if equals(range, "\"tool\"") || equals(range, "\"function\"") { return .tool }
        if equals(range, "\"assistant\"") { return .assistant }
        return nil
    }

    private func classify(_ content: Range<Int>, escaped: Bool) -> Key {
        let keys: [(StaticString, Key)] = [("messages", .messages), ("system", .system), ("role", .role), ("content", .content),
                                           ("text", .text), ("type", .type)]
        for (name, key) in keys where JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: name) {
            return key
        }
        return .other
    }

    private func equals(_ range: Range<Int>, _ token: StaticString) -> Bool {
        guard range.count == token.utf8CodeUnitCount else { return false }
        let bytes = UnsafeRawBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        return UnsafeRawBufferPointer(rebasing: buffer[range]).elementsEqual(bytes)
    }
}
