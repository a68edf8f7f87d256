/// One page of Anthropic's `GET /v1/models`, as its API reference defines the query: `limit`
/// (1 to 1000, default 20), and at most one cursor, `after_id` (the page after that model) or
/// `before_id` (the page before it). OpenAI's list has no paging.
///
/// Pure; parsed from the request's query with `init(query:)`.
package struct ModelPageRequest: Hashable, Sendable {
    package static let defaultLimit = 20
    package static let maxLimit = 1000

    /// Where the page starts or ends.
    package enum Cursor: Hashable, Sendable {
        case after(String)
        case before(String)
    }

    package var limit: Int
    package var cursor: Cursor?

    package init(limit: Int = defaultLimit, cursor: Cursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Reads `limit`, `after_id` and `before_id` from a query (`a=1&b=2`, percent-encoded, `+`
    /// for a space); other parameters are ignored. Fails with a message naming the parameter for
    /// a `limit` that is not a whole number from 1 to 1000, or for both cursors at once.
    package init(query: Substring?) throws(ModelPageError) {
        self.init()
        var after: String?
        var before: String?
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = Self.decode(parts.count == 2 ? parts[1] : "")
            switch Self.decode(parts[0]) {
            case "limit":
                guard let number = Int(value), (1...Self.maxLimit).contains(number) else {
                    throw ModelPageError("limit must be a whole number from 1 to \(Self.maxLimit), not \"\(value.prefix(32))\"")
                }
                limit = number
            case "after_id": after = value
            case "before_id": before = value
            default: break
            }
        }
        switch (after, before) {
        case (let id?, nil): cursor = .after(id)
        case (nil, let id?): cursor = .before(id)
        case (nil, nil): cursor = nil
        case (_?, _?): throw ModelPageError("give at most one of after_id and before_id")
        }
    }

    /// `%XX` escapes and `+` (a space, in query values); a broken escape stays as it is.
    private static func decode(_ text: Substring) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = JSONLexer.hexValue(bytes[i + 1]),
                      let low = JSONLexer.hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(bytes[i])
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
