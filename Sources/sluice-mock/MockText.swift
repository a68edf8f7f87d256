import ProxyCore

/// A completion's text, split into tokens once: each word already escaped for a JSON
/// string, so answers are assembled by appending bytes, with no String work per request.
final class MockText: Sendable {
    /// Escaped words without quotes, each followed by a space except where it ends the text.
    private let words: [[UInt8]]

    init(_ content: String) {
        let split = content.split(separator: " ")
        words = (split.isEmpty ? ["token"] : split).map { word in
            var escaped: [UInt8] = []
            JSONWriter.appendString(word, to: &escaped)
            return Array(escaped.dropFirst().dropLast())
        }
    }

    /// Appends token `index` of a text of `count` tokens (escaped, without quotes).
    func appendToken(_ index: Int, of count: Int, to out: inout [UInt8]) {
        out += words[index % words.count]
        if index != count - 1 { out.append(UInt8(ascii: " ")) }
    }

    /// Appends the whole text of `count` tokens as a quoted JSON string.
    func appendQuoted(count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for index in 0..<count { appendToken(index, of: count, to: &out) }
        out.append(UInt8(ascii: "\""))
    }
}
