/// Feeds one walk over a document to two visitors, so two readers of the same body pay for
/// one pass. The first visitor to reject something stops the walk for both.
struct JSONVisitorPair<First: JSONSyntaxVisitor, Second: JSONSyntaxVisitor>: JSONSyntaxVisitor {
    var first: First
    var second: Second

    mutating func beginContainer(isObject: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        try first.beginContainer(isObject: isObject, at: offset)
        try second.beginContainer(isObject: isObject, at: offset)
    }

    mutating func endContainer(isObject: Bool, end: Int) {
        first.endContainer(isObject: isObject, end: end)
        second.endContainer(isObject: isObject, end: end)
    }

    mutating func key(content: Range<Int>, escaped: Bool, at offset: Int) throws(JSONSyntaxFailure) {
        try first.key(content: content, escaped: escaped, at: offset)
        try second.key(content: content, escaped: escaped, at: offset)
    }

    mutating func scalar(_ kind: JSONValueKind, range: Range<Int>, escaped: Bool) {
        first.scalar(kind, range: range, escaped: escaped)
        second.scalar(kind, range: range, escaped: escaped)
    }
}
