import Glibc
import Testing
@testable import ProxyCore

/// One case of testdata/corpus.jsonl (written by generate_corpus.py from Python's `re`).
struct RegexCorpusCase: Sendable {
    let line: Int
    let pattern: String
    let input: String
    /// `re.search`'s span in UTF-8 bytes; nil when it finds nothing.
    let span: Range<Int>?
    /// `re.fullmatch(…) is not None`.
    let full: Bool
    /// False where leftmost-first loops over empty matches may end differently (see the generator).
    let spanChecked: Bool
}

/// The agreement corpus and its header line.
func regexCorpus() throws -> (header: JSONObject, cases: [RegexCorpusCase]) {
    let bytes = try #require(readTestFile("testdata/corpus.jsonl"), "Tests/ProxyCoreTests/Regex/testdata/corpus.jsonl is missing")
    var header = JSONObject()
    var cases: [RegexCorpusCase] = []
    for (index, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
        guard case .object(let object) = try JSONParser.parse(Array(line)) else { Issue.record("line \(index + 1) is not an object"); continue }
        if index == 0 {
            header = object
            continue
        }
        guard case .string(let pattern)? = object["p"], case .string(let input)? = object["s"],
              case .bool(let full)? = object["full"], case .bool(let spanChecked)? = object["spanChecked"] else {
            Issue.record("line \(index + 1) lacks a field")
            continue
        }
        var span: Range<Int>? = nil
        if case .array(let bounds)? = object["span"], bounds.count == 2,
           case .number(let start) = bounds[0], case .number(let end) = bounds[1], let start = start.int, let end = end.int {
            span = start..<end
        }
        cases.append(RegexCorpusCase(line: index + 1, pattern: pattern, input: input, span: span, full: full, spanChecked: spanChecked))
    }
    return (header, cases)
}

/// The bytes of a file next to this one, or nil when it cannot be read.
func readTestFile(_ relativePath: String, from directory: String = regexTestDirectory()) -> [UInt8]? {
    guard let file = fopen(directory + "/" + relativePath, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let read = fread(&chunk, 1, chunk.count, file)
        if read <= 0 { break }
        bytes.append(contentsOf: chunk[0..<read])
    }
    return bytes
}

/// This directory (Tests/ProxyCoreTests/Regex).
func regexTestDirectory(_ file: String = #filePath) -> String {
    String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
}

/// The leftmost match of `pattern` in `text` as a substring, for readable expectations.
func firstMatchText(_ pattern: String, _ text: String) throws -> String? {
    let regex = try LinearRegex(pattern)
    guard let range = regex.firstMatch(in: text) else { return nil }
    return String(decoding: Array(text.utf8)[range], as: UTF8.self)
}

/// The error `pattern` is refused with, or nil when it compiles.
func regexError(_ pattern: String) -> RegexSyntaxError? {
    do {
        _ = try LinearRegex(pattern)
        return nil
    } catch {
        return error
    }
}
