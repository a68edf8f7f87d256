/// Receives the structure of a document from `JSONSyntaxWalker`, in document order.
///
/// The walker has already checked each piece against RFC 8259 when it reports it, so a
/// visitor only decides what to keep. Ranges are byte offsets into the walked buffer.
protocol JSONSyntaxVisitor {
    /// An object (`{`) or array (`[`) starts at `offset`. May reject it (e.g. a builder's own limit).
    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure)
    /// The innermost open container ends; `end` is the offset just after its closing byte.
    mutating func endContainer(isObject: Bool, end: Int)
    /// An object key: `content` is between the quotes; `escaped` when it holds a backslash escape.
    /// `offset` is the opening quote. May reject it (duplicate keys).
    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure)
    /// A string, number, `true`, `false` or `null`; `range` covers the whole token (quotes included).
    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool)
}
