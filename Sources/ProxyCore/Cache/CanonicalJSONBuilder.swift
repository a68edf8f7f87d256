/// `CanonicalJSON`'s visitor: writes each value's canonical bytes as `JSONSyntaxWalker` reports
/// it. An array's elements are appended to its frame in order; an object's members are kept as
/// (decoded key, canonical value) and joined sorted by key when the object ends (equal keys
/// keep their order, as `JSONWriter`'s `.canonical` does).
struct CanonicalJSONBuilder: JSONSyntaxVisitor {
    private struct Frame {
        var isObject: Bool
        var output: [UInt8] = []
        var members: [(key: [UInt8], quotedKey: [UInt8], value: [UInt8])] = []
        var pendingKey: [UInt8] = []
        var pendingQuotedKey: [UInt8] = []
        /// The pending member is left out (a top-level key in `omitting`).
        var skipping = false
        /// Where the pending member's value starts (top level only, for `topLevel`).
        var valueStart = 0
    }

    private let buffer: UnsafeRawBufferPointer
    private let omitting: [[UInt8]]
    private var frames: [Frame] = []
    /// The document in canonical form, once the walk has completed.
    private(set) var root: [UInt8] = []
    /// Every top-level member's decoded key and value range in `buffer`.
    private(set) var topLevel: [(key: [UInt8], range: Range<Int>)] = []

    init(buffer: UnsafeRawBufferPointer, omitting: [[UInt8]]) {
        self.buffer = buffer
        self.omitting = omitting
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        if frames.count == 1 { frames[0].valueStart = offset }
        frames.append(Frame(isObject: isObject, output: isObject ? [] : [UInt8(ascii: "[")]))
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        let frame = frames.removeLast()
        var bytes: [UInt8]
        if isObject {
            bytes = [UInt8(ascii: "{")]
            let order = frame.members.indices.sorted { left, right in
                let a = frame.members[left].key, b = frame.members[right].key
                if a == b { return left < right }
                return a.lexicographicallyPrecedes(b)
            }
            for (position, index) in order.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += frame.members[index].quotedKey
                bytes.append(UInt8(ascii: ":"))
                bytes += frame.members[index].value
            }
            bytes.append(UInt8(ascii: "}"))
        } else {
            bytes = frame.output
            bytes.append(UInt8(ascii: "]"))
        }
        if frames.count == 1 { topLevel.append((frames[0].pendingKey, frames[0].valueStart..<end)) }
        emit(bytes)
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        let top = frames.count - 1
        if escaped {
            let key = JSONStringDecoder.decode(buffer, content: content) ?? ""
            frames[top].pendingKey = Array(key.utf8)
            frames[top].pendingQuotedKey = []
            JSONWriter.appendString(key, to: &frames[top].pendingQuotedKey)
        } else {
            frames[top].pendingKey = Array(UnsafeRawBufferPointer(rebasing: buffer[content]))
            frames[top].pendingQuotedKey = Array(UnsafeRawBufferPointer(rebasing: buffer[content.lowerBound - 1..<content.upperBound + 1]))
        }
        frames[top].skipping = top == 0 && omitting.contains(frames[top].pendingKey)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        let raw = UnsafeRawBufferPointer(rebasing: buffer[range])
        var bytes: [UInt8] = []
        switch kind {
        case .string where escaped:
            // Decoded and written again, so every spelling of a string gives the same bytes.
            JSONWriter.appendString(JSONStringDecoder.decode(buffer, content: range.lowerBound + 1..<range.upperBound - 1) ?? "",
                                    to: &bytes)
        case .number where raw.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
                           || raw.elementsEqual("-0".utf8):
            bytes.append(contentsOf: CanonicalJSON.normalised(JSONNumber(literal: String(decoding: raw, as: UTF8.self))).literal.utf8)
        default:
            // An unescaped string is exactly what the writer would write; likewise an integer, a bool, null.
            bytes.append(contentsOf: raw)
        }
        if frames.count == 1 { topLevel.append((frames[0].pendingKey, range)) }
        emit(bytes)
    }

    private mutating func emit(_ bytes: [UInt8]) {
        guard !frames.isEmpty else {
            root = bytes
            return
        }
        let top = frames.count - 1
        if frames[top].isObject {
            if !frames[top].skipping {
                frames[top].members.append((frames[top].pendingKey, frames[top].pendingQuotedKey, bytes))
            }
        } else {
            if frames[top].output.count > 1 { frames[top].output.append(UInt8(ascii: ",")) }
            frames[top].output += bytes
        }
    }
}
