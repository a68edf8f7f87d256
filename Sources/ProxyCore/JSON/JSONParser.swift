/// A strict RFC 8259 parser from bytes to a `JSONValue` tree.
///
/// Pure and thread-safe: call it from any thread. Used off the hot path (config files,
/// the controller, tests); the request path uses `JSONFieldScanner`, which builds no tree.
/// Accepts exactly the grammar of RFC 8259 with surrounding whitespace: no comments, no
/// trailing commas, no byte order mark, no `NaN`, and only well-formed UTF-8 (RFC 3629).
package enum JSONParser {
    /// Limits and policies for one parse.
    package struct Options: Hashable, Sendable {
        /// The most objects and arrays that may be open at once; deeper input is rejected.
        /// Parsing itself is iterative, but recursive consumers of the tree (equality,
        /// hashing, the writer) are not: keep this in the hundreds.
        package var maxDepth: Int
        /// Reject an object that names the same key twice (RFC 8259 section 4 leaves it to
        /// us). Keys are compared as Swift strings, i.e. by Unicode canonical equivalence.
        package var rejectDuplicateKeys: Bool

        package init(maxDepth: Int = 128, rejectDuplicateKeys: Bool = false) {
            self.maxDepth = maxDepth
            self.rejectDuplicateKeys = rejectDuplicateKeys
        }
    }

    /// Parses one whole document.
    package static func parse(_ bytes: UnsafeRawBufferPointer, options: Options = .init()) throws(JSONParseError) -> JSONValue {
        var builder = JSONTreeBuilder(buffer: bytes, rejectDuplicateKeys: options.rejectDuplicateKeys)
        do {
            try JSONSyntaxWalker.walk(bytes, maxDepth: options.maxDepth, visitor: &builder)
        } catch {
            throw error.error(in: bytes)
        }
        return builder.root
    }

    /// Parses one whole document from any collection of bytes (copied first if not contiguous).
    package static func parse(_ bytes: some Collection<UInt8>, options: Options = .init()) throws(JSONParseError) -> JSONValue {
        let parseBuffer = { (buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer), options: options) }
        }
        if let result = bytes.withContiguousStorageIfAvailable(parseBuffer) { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer(parseBuffer).get()
    }

    /// Parses one whole document from text.
    package static func parse(_ text: String, options: Options = .init()) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, options: options)
    }
}
