/// Walks a whole JSON document once, checking it against RFC 8259, and reports its structure
/// to a visitor. The single source of strictness for `JSONParser` and `JSONFieldScanner`.
///
/// Iterative, not recursive: nesting costs one byte per level of a temporary buffer (on the
/// stack for ordinary limits) instead of a stack frame, so no input can exhaust the stack.
enum JSONSyntaxWalker {
    private enum State {
        case value
        case key(afterComma: Bool)
        case afterValue
    }

    /// Walks `buffer`, allowing at most `maxDepth` nested objects and arrays.
    /// Throws at the first error; the visitor has then seen a prefix of the document.
    static func walk<Visitor: JSONSyntaxVisitor>(
        _ buffer: UnsafeRawBufferPointer, maxDepth: Int, visitor: inout Visitor
    ) throws(JSONSyntaxFailure) {
        let limit = max(0, maxDepth)
        // A container takes at least one byte, so the stack never needs more than count levels.
        let capacity = min(limit, buffer.count) + 1
        try withUnsafeTemporaryAllocation(of: Bool.self, capacity: capacity) { (isObjectStack) throws(JSONSyntaxFailure) in
            try walk(buffer, limit: limit, isObjectStack: isObjectStack, visitor: &visitor)
        }
    }

    private static func walk<Visitor: JSONSyntaxVisitor>(
        _ buffer: UnsafeRawBufferPointer, limit: Int, isObjectStack: UnsafeMutableBufferPointer<Bool>, visitor: inout Visitor
    ) throws(JSONSyntaxFailure) {
        let count = buffer.count
        var index = JSONLexer.skipWhitespace(buffer, from: 0)
        guard index < count else { throw JSONSyntaxFailure(offset: index, .emptyDocument) }
        var depth = 0
        var state = State.value
        while true {
            switch state {
            case .value:
                index = JSONLexer.skipWhitespace(buffer, from: index)
                guard index < count else { throw JSONSyntaxFailure(offset: index, .expectedValue) }
                let byte = buffer[index]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = byte == UInt8(ascii: "{")
                    guard depth < limit, depth < isObjectStack.count else {
                        throw JSONSyntaxFailure(offset: index, .tooDeep(limit: limit))
                    }
                    isObjectStack[depth] = isObject
                    depth += 1
                    try visitor.beginContainer(isObject: isObject, at: index)
                    index = JSONLexer.skipWhitespace(buffer, from: index + 1)
                    if index < count, buffer[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        index += 1
                        depth -= 1
                        visitor.endContainer(isObject: isObject, end: index)
                        state = .afterValue
                    } else {
                        state = isObject ? .key(afterComma: false) : .value
                    }
                case JSONLexer.quote:
                    let (end, escaped) = try JSONLexer.scanString(buffer, openingQuote: index)
                    visitor.scalar(.string, range: index..<end, escaped: escaped)
                    index = end
                    state = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let end = try JSONLexer.scanNumber(buffer, from: index)
                    visitor.scalar(.number, range: index..<end, escaped: false)
                    index = end
                    state = .afterValue
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let literal: StaticString = byte == UInt8(ascii: "t") ? "true" : byte == UInt8(ascii: "f") ? "false" : "null"
                    let end = try JSONLexer.scanLiteral(buffer, from: index, literal)
                    visitor.scalar(byte == UInt8(ascii: "n") ? .null : .bool, range: index..<end, escaped: false)
                    index = end
                    state = .afterValue
                default:
                    throw JSONSyntaxFailure(offset: index, .expectedValue)
                }
            case .key(let afterComma):
                index = JSONLexer.skipWhitespace(buffer, from: index)
                guard index < count, buffer[index] == JSONLexer.quote else {
                    throw JSONSyntaxFailure(offset: index, .expectedKey(afterComma: afterComma))
                }
                let (end, escaped) = try JSONLexer.scanString(buffer, openingQuote: index)
                try visitor.key(content: index + 1..<end - 1, escaped: escaped, at: index)
                index = JSONLexer.skipWhitespace(buffer, from: end)
                guard index < count, buffer[index] == UInt8(ascii: ":") else {
                    throw JSONSyntaxFailure(offset: index, .expectedColon)
                }
                index += 1
                state = .value
            case .afterValue:
                index = JSONLexer.skipWhitespace(buffer, from: index)
                guard depth > 0 else {
                    guard index == count else { throw JSONSyntaxFailure(offset: index, .trailingContent) }
                    return
                }
                let isObject = isObjectStack[depth - 1]
                let byte = index < count ? buffer[index] : 0
                if byte == UInt8(ascii: ",") {
                    index += 1
                    state = isObject ? .key(afterComma: true) : .value
                } else if byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    depth -= 1
                    visitor.endContainer(isObject: isObject, end: index)
                } else {
                    throw JSONSyntaxFailure(offset: index, isObject ? .expectedCommaOrObjectEnd : .expectedCommaOrArrayEnd)
                }
            }
        }
    }
}
