import Foundation
import Testing
@testable import ProxyCore

/// `testdata/<case>.in.json` → `<case>.out.json` (`.in.sse` → `.out.sse` for streams). The
/// case's name says which translator runs:
/// - `chat-request-*`: OpenAI chat request → Anthropic request (default `max_tokens` 4096);
///   the output is the body, or `{"translationError":{path,message}}`;
/// - `messages-response-*`: Anthropic answer → OpenAI chat completion (`created` 1700000000);
/// - `messages-stream-*`: Anthropic stream → OpenAI chunk stream, fed whole; a name ending in
///   `-usage` asks for the usage chunk;
/// - `messages-request-*`: Anthropic request → OpenAI request;
/// - `chat-response-*`: OpenAI-style answer → Anthropic answer;
/// - `chat-stream-*`: OpenAI-style chunk stream → Anthropic event stream;
/// - `error-to-openai-*`, `error-to-anthropic-*`: `{"status":N,"body":…}` (a string body is
///   sent as its raw bytes) → `{"status":N,"body":…}`.
/// JSON outputs are canonical and pretty. Regenerate only on purpose with `make golden`.
@Suite struct ProviderGoldenTests {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")
    static let created = 1_700_000_000

    static func cases(_ suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: testdata.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.sorted()
    }

    static var updating: Bool { ProcessInfo.processInfo.environment["SLUICE_REGENERATE_GOLDEN"] == "1" }

    static func input(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: testdata.appendingPathComponent(name)))
    }

    static func pretty(_ value: JSONValue) -> [UInt8] { JSONWriter.write(value, options: [.pretty, .canonical]) + [0x0A] }

    static func prettyBody(_ body: [UInt8]) throws -> [UInt8] { pretty(try JSONParser.parse(body)) }

    static func errorValue(_ error: ProviderTranslationError) -> [UInt8] {
        pretty(.members([("translationError", .members([("path", .string(error.path)), ("message", .string(error.message))]))]))
    }

    static func output(_ result: Result<[UInt8], ProviderTranslationError>) throws -> [UInt8] {
        switch result {
        case .success(let body): try prettyBody(body)
        case .failure(let error): errorValue(error)
        }
    }

    /// The output a `.in.json` case gives.
    static func translate(_ name: String) throws -> [UInt8] {
        let input = try input("\(name).in.json")
        if name.hasPrefix("chat-request-") {
            return try output(Result { () throws(ProviderTranslationError) in try OpenAIToAnthropicRequest.translate(input, options: .init(defaultMaxTokens: 4096)).body })
        }
        if name.hasPrefix("messages-response-") {
            return try output(Result { () throws(ProviderTranslationError) in try AnthropicToOpenAIResponse.translate(input, created: created) })
        }
        if name.hasPrefix("messages-request-") {
            return try output(Result { () throws(ProviderTranslationError) in try AnthropicToOpenAIRequest.translate(input).body })
        }
        if name.hasPrefix("chat-response-") {
            return try output(Result { () throws(ProviderTranslationError) in try OpenAIToAnthropicResponse.translate(input) })
        }
        let envelope = ProviderJSONCursor(try JSONParser.parse(input))
        let status = try envelope.required("status").int()
        let body = try envelope.required("body")
        let bodyBytes: [UInt8] = if case .string(let raw) = body.value { Array(raw.utf8) } else { JSONWriter.write(body.value) }
        let translation = name.hasPrefix("error-to-openai-")
            ? ProviderErrorBody.toOpenAI(status: status, body: bodyBytes)
            : ProviderErrorBody.toAnthropic(status: status, body: bodyBytes)
        return pretty(.members([("status", .number(JSONNumber(translation.status))), ("body", try JSONParser.parse(translation.body))]))
    }

    /// The output and the outcome (as text) of the case's stream translator.
    static func stream(_ name: String, chunks: [ArraySlice<UInt8>]) -> (output: [UInt8], outcome: String) {
        var output: [UInt8] = []
        if name.hasPrefix("chat-stream-") {
            var translator = OpenAIStreamToAnthropic()
            for chunk in chunks { translator.feed(chunk, into: &output) }
            return (output, "\(translator.finish())")
        }
        var translator = AnthropicStreamToOpenAI(created: created, includeUsage: name.hasSuffix("-usage"))
        for chunk in chunks { translator.feed(chunk, into: &output) }
        return (output, "\(translator.finish())")
    }

    static func compare(_ actual: [UInt8], file: String) throws {
        let url = testdata.appendingPathComponent(file)
        if updating { return try Data(actual).write(to: url) }
        let expected = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        #expect(String(decoding: actual, as: UTF8.self) == expected, "\(file) differs; if intended, run `make golden` and review the diff")
    }

    @Test func thereAreGoldenCasesForEveryTranslator() {
        for prefix in ["chat-request-", "messages-response-", "messages-request-", "chat-response-", "error-to-openai-", "error-to-anthropic-"] {
            #expect(Self.cases(".in.json").filter { $0.hasPrefix(prefix) }.count >= 2, "\(prefix)")
        }
        #expect(Self.cases(".in.sse").filter { $0.hasPrefix("messages-stream-") }.count >= 4)
        #expect(Self.cases(".in.sse").filter { $0.hasPrefix("chat-stream-") }.count >= 3)
    }

    @Test(arguments: cases(".in.json")) func translationMatchesGoldenFile(_ name: String) throws {
        try Self.compare(try Self.translate(name), file: "\(name).out.json")
    }

    @Test(arguments: cases(".in.sse")) func streamTranslationMatchesGoldenFile(_ name: String) throws {
        let input = try Self.input("\(name).in.sse")
        try Self.compare(Self.stream(name, chunks: [input[...]]).output, file: "\(name).out.sse")
    }

    @Test(arguments: cases(".in.sse")) func streamOutputIsTheSameWhereverTheInputIsSplit(_ name: String) throws {
        let input = try Self.input("\(name).in.sse")
        let whole = Self.stream(name, chunks: [input[...]])
        for split in 0...input.count {
            let parts = Self.stream(name, chunks: [input[..<split], input[split...]])
            #expect(parts.output == whole.output, "split at \(split)")
            #expect(parts.outcome == whole.outcome, "split at \(split)")
        }
        let bytewise = Self.stream(name, chunks: input.indices.map { input[$0...$0] })
        #expect(bytewise.output == whole.output)
        #expect(bytewise.outcome == whole.outcome)
    }

    @Test(arguments: cases(".in.sse")) func everyTranslatedStreamEventIsValidJSONOrDone(_ name: String) throws {
        var parser = SSEParser()
        for case .event(let event) in try parser.feed(Self.stream(name, chunks: [try Self.input("\(name).in.sse")[...]]).output) {
            if event.data == Array("[DONE]".utf8) { continue }
            #expect(throws: Never.self) { try JSONParser.parse(event.data) }
        }
    }
}
