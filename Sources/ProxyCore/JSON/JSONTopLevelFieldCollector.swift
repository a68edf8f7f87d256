/// `JSONFieldScanner`'s visitor: records the byte range of the first value of each
/// requested top-level key, and nothing else.
struct JSONTopLevelFieldCollector: JSONSyntaxVisitor {
    // Marks a requested key whose member's value has not been reported yet.
    private static let pending = Int.min..<Int.min

    private let buffer: UnsafeRawBufferPointer
    private let keys: [[UInt8]]
    /// For each requested key, its value's range; nil when absent.
    private(set) var ranges: [Range<Int>?]
    private var remaining: Int
    private var depth = 0
    private var hasPending = false
    private var containerStart = 0

    init(buffer: UnsafeRawBufferPointer, keys: [[UInt8]]) {
        self.buffer = buffer
        self.keys = keys
        self.ranges = Array(repeating: nil, count: keys.count)
        self.remaining = keys.count
    }

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        depth += 1
        if depth == 2 { containerStart = offset }
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        depth -= 1
        if depth == 1 { complete(containerStart..<end) }
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        guard depth == 1, remaining > 0 else { return }
        for index in keys.indices where ranges[index] == nil
            && JSONStringDecoder.contentEquals(buffer, content: content, escaped: escaped, key: keys[index]) {
            ranges[index] = Self.pending
            remaining -= 1
            hasPending = true
        }
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        if depth == 1 { complete(range) }
    }

    private mutating func complete(_ range: Range<Int>) {
        guard hasPending else { return }
        hasPending = false
        for index in ranges.indices where ranges[index] == Self.pending { ranges[index] = range }
    }
}
