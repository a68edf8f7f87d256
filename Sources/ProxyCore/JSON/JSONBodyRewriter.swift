/// Edits a JSON body by splicing bytes, so everything the edit does not touch passes through
/// byte for byte (no re-encoding: number literals, key order, whitespace, escapes all stay).
///
/// Pure; call from any thread. Ranges come from `JSONFieldScanner` on the same body, and
/// new value bytes must be one complete JSON value: the rewriter does not re-validate them.
package enum JSONBodyRewriter {
    /// `body` with the bytes at `range` (a value's range) replaced by `newValueBytes`.
    /// A range outside `body` is a caller bug and traps.
    package static func replacingValue(
        in body: UnsafeRawBufferPointer, at range: Range<Int>, with newValueBytes: some Collection<UInt8>
    ) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= body.count, "range outside the body")
        var output: [UInt8] = []
        output.reserveCapacity(body.count - range.count + newValueBytes.count)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[..<range.lowerBound]))
        output.append(contentsOf: newValueBytes)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[range.upperBound...]))
        return output
    }

    /// `body` with `"key":value` inserted as the first member of its top-level object, right
    /// after the `{` (followed by `,` unless the object is empty). The key is escaped here.
    /// Nil when `body` does not start, after whitespace, with `{`.
    package static func insertingTopLevelMember(
        in body: UnsafeRawBufferPointer, key: some StringProtocol, valueBytes: some Collection<UInt8>
    ) -> [UInt8]? {
        let open = JSONLexer.skipWhitespace(body, from: 0)
        guard open < body.count, body[open] == UInt8(ascii: "{") else { return nil }
        let next = JSONLexer.skipWhitespace(body, from: open + 1)
        let isEmpty = next < body.count && body[next] == UInt8(ascii: "}")
        var output: [UInt8] = []
        output.reserveCapacity(body.count + key.utf8.count + valueBytes.count + 8)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[...open]))
        JSONWriter.appendString(key, to: &output)
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: valueBytes)
        if !isEmpty { output.append(UInt8(ascii: ",")) }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[(open + 1)...]))
        return output
    }

    /// `replacingValue` on an array of bytes.
    package static func replacingValue(in body: [UInt8], at range: Range<Int>, with newValueBytes: some Collection<UInt8>) -> [UInt8] {
        body.withUnsafeBytes { replacingValue(in: $0, at: range, with: newValueBytes) }
    }

    /// `insertingTopLevelMember` on an array of bytes.
    package static func insertingTopLevelMember(in body: [UInt8], key: some StringProtocol, valueBytes: some Collection<UInt8>) -> [UInt8]? {
        body.withUnsafeBytes { insertingTopLevelMember(in: $0, key: key, valueBytes: valueBytes) }
    }
}
