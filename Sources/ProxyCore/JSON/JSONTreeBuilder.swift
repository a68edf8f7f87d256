/// Builds a `JSONValue` from what `JSONSyntaxWalker` reports; `JSONParser`'s visitor.
///
/// Keeps its own stack of open containers (on the heap), so building is as iterative as walking.
struct JSONTreeBuilder: JSONSyntaxVisitor {
    private struct Frame {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        var pendingKey = ""
        // Keys seen so far, only filled when duplicates are rejected.
        var seenKeys: Set<String> = []
    }

    private let buffer: UnsafeRawBufferPointer
    private let rejectDuplicateKeys: Bool
    private var frames: [Frame] = []
    /// The document's value, once the walk has completed.
    private(set) var root: JSONValue = .null

    init(buffer: UnsafeRawBufferPointer, rejectDuplicateKeys: Bool) {
        self.buffer = buffer
        self.rejectDuplicateKeys = rejectDuplicateKeys
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        frames.append(Frame(isObject: isObject))
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        let frame = frames.removeLast()
        emit(isObject ? .object(JSONObject(frame.members)) : .array(frame.elements))
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        // The walker validated the content, so decoding cannot fail; "" keeps this total anyway.
        let key = JSONStringDecoder.decode(buffer, content: content) ?? ""
        let top = frames.count - 1
        // Set<String> compares keys by Unicode canonical equivalence, like JSONObject's
        // subscript does: two keys one lookup could not tell apart count as duplicates.
        if rejectDuplicateKeys, !frames[top].seenKeys.insert(key).inserted {
            throw JSONSyntaxFailure(offset: offset, .duplicateKey(Self.quotedForMessage(key)))
        }
        frames[top].pendingKey = key
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        let value: JSONValue
        switch kind {
        case .string:
            value = .string(JSONStringDecoder.decode(buffer, content: range.lowerBound + 1..<range.upperBound - 1) ?? "")
        case .number:
            value = .number(JSONNumber(literal: String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)))
        case .bool:
            value = .bool(buffer[range.lowerBound] == UInt8(ascii: "t"))
        case .null, .object, .array:
            value = .null
        }
        emit(value)
    }

    private mutating func emit(_ value: JSONValue) {
        guard !frames.isEmpty else {
            root = value
            return
        }
        let top = frames.count - 1
        if frames[top].isObject {
            frames[top].members.append((frames[top].pendingKey, value))
        } else {
            frames[top].elements.append(value)
        }
    }

    // A key as JSON, cut short so a hostile key cannot make the error message huge.
    private static func quotedForMessage(_ key: String) -> String {
        var bytes: [UInt8] = []
        if key.unicodeScalars.count > 64 {
            JSONWriter.appendString(key.unicodeScalars.prefix(64).reduce(into: "") { $0.unicodeScalars.append($1) }, to: &bytes)
            bytes.removeLast()
            bytes.append(contentsOf: "...\"".utf8)
        } else {
            JSONWriter.appendString(key, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
