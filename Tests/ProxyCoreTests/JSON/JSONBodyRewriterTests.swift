import Testing
@testable import ProxyCore

@Suite struct JSONBodyRewriterTests {
    private func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test func replacesTheModelAndLeavesEveryOtherByteAlone() throws {
        let body = Array(#"{ "temperature" : 0.70, "model" : "gpt-4o",  "messages":[{"content":"caf\u00e9"}] }"#.utf8)
        let range = try #require(JSONFieldScanner.scanTopLevel(body, keys: [Array("model".utf8)]).get()[0])
        var replacement: [UInt8] = []
        JSONWriter.appendString("azure/gpt-4o-2024", to: &replacement)
        let rewritten = JSONBodyRewriter.replacingValue(in: body, at: range, with: replacement)
        #expect(text(rewritten) == #"{ "temperature" : 0.70, "model" : "azure/gpt-4o-2024",  "messages":[{"content":"caf\u00e9"}] }"#)
        #expect(rewritten.prefix(range.lowerBound).elementsEqual(body.prefix(range.lowerBound)))
        #expect(rewritten.suffix(body.count - range.upperBound).elementsEqual(body.suffix(body.count - range.upperBound)))
        let tree = try JSONParser.parse(rewritten)
        guard case .object(let members) = tree else { Issue.record("not an object"); return }
        #expect(members["model"] == .string("azure/gpt-4o-2024"))
        #expect(members["temperature"] == number("0.70"))
    }

    @Test(arguments: [
        ("{}", #"{"k":1}"#),
        ("{ }", #"{"k":1 }"#),
        (" \n{\n}\n", " \n{\"k\":1\n}\n"),
        (#"{"a":2}"#, #"{"k":1,"a":2}"#),
        ("\t{\n  \"a\": 2\n}", "\t{\"k\":1,\n  \"a\": 2\n}"),
    ])
    func insertsAMemberFirstInTheTopLevelObject(body: String, expected: String) throws {
        let output = try #require(JSONBodyRewriter.insertingTopLevelMember(in: Array(body.utf8), key: "k", valueBytes: Array("1".utf8)))
        #expect(text(output) == expected)
        #expect(parseError(output) == nil)
    }

    @Test func insertingEscapesTheKeyAndRefusesNonObjects() {
        #expect(text(JSONBodyRewriter.insertingTopLevelMember(in: Array("{}".utf8), key: "a\"b", valueBytes: Array("null".utf8)))
            == #"{"a\"b":null}"#)
        #expect(JSONBodyRewriter.insertingTopLevelMember(in: Array("[]".utf8), key: "k", valueBytes: Array("1".utf8)) == nil)
        #expect(JSONBodyRewriter.insertingTopLevelMember(in: [], key: "k", valueBytes: Array("1".utf8)) == nil)
    }

    private func ensure(_ body: String) throws -> (String, Bool) {
        let result = try JSONBodyRewriter.ensuringIncludeUsage(in: Array(body.utf8)).get()
        return (String(decoding: result.body, as: UTF8.self), result.clientRequestedUsage)
    }

    @Test(arguments: [
        (#"{"model":"m","stream":true}"#, #"{"stream_options":{"include_usage":true},"model":"m","stream":true}"#),
        ("{}", #"{"stream_options":{"include_usage":true}}"#),
        (#"{"stream_options":{},"x":1}"#, #"{"stream_options":{"include_usage":true},"x":1}"#),
        (#"{"stream_options":{ "other":"keep" } }"#, #"{"stream_options":{"include_usage":true, "other":"keep" } }"#),
        (#"{"stream_options":{"include_usage":false,"other":1}}"#, #"{"stream_options":{"include_usage":true,"other":1}}"#),
        (#"{"stream_options":{"a":{"include_usage":true},"include_usage" : null}}"#,
         #"{"stream_options":{"a":{"include_usage":true},"include_usage" : true}}"#),
        (#"{"stream_options":null,"model":"m"}"#, #"{"stream_options":{"include_usage":true},"model":"m"}"#),
        (#"{"stream_options":"yes"}"#, #"{"stream_options":{"include_usage":true}}"#),
        (#"{"stream_\u006fptions":{"include_\u0075sage":0}}"#, #"{"stream_\u006fptions":{"include_\u0075sage":true}}"#),
    ])
    func forcesIncludeUsageKeepingOtherMembers(body: String, expected: String) throws {
        let (output, clientRequested) = try ensure(body)
        #expect(output == expected)
        #expect(!clientRequested)
        #expect(parseError(output) == nil)
    }

    @Test func leavesTheBodyUntouchedWhenTheClientAlreadyAskedForUsage() throws {
        let body = #"{"model":"m", "stream_options": {"include_usage": true, "x": []}}"#
        let (output, clientRequested) = try ensure(body)
        #expect(output == body)
        #expect(clientRequested)
    }

    @Test func failsOnMalformedOrNonObjectBodies() {
        for body in ["", "[]", #"{"stream_options":{"include_usage":true}"#, #"{"a":1,}"#] {
            guard case .failure = JSONBodyRewriter.ensuringIncludeUsage(in: Array(body.utf8)) else {
                Issue.record("accepted \(body)")
                continue
            }
        }
    }

    @Test func rewritesTheRealisticRequestSoThatUsageIsOnAndEverythingElseEqual() throws {
        let result = try JSONBodyRewriter.ensuringIncludeUsage(in: Array(chatRequestText.utf8)).get()
        let before = try JSONParser.parse(chatRequestText)
        let after = try JSONParser.parse(result.body)
        guard case .object(var expected) = before, case .object(let actual) = after else { Issue.record("not objects"); return }
        expected["stream_options"] = object(("include_usage", .bool(true)))
        #expect(actual == expected)
        #expect(!result.clientRequestedUsage)
    }
}
