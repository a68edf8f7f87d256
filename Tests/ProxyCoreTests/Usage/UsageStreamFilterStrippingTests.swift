import Testing
@testable import ProxyCore

/// When the proxy forced `include_usage`, the client sees exactly the stream the provider
/// sends without it.
@Suite struct UsageStreamFilterStrippingTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func openAIStreamStrippedIsByteIdenticalToTheStreamWithoutIncludeUsage(ending: String) {
        let forced = withLineEnding(UsageFixtures.openAIChat(includeUsage: true), ending)
        let unasked = withLineEnding(UsageFixtures.openAIChat(includeUsage: false), ending)
        let (output, result) = UsageFixtures.run(forced, stripsUsage: true)
        #expect(UsageFixtures.text(output) == UsageFixtures.text(unasked))
        #expect(result.usage == TokenUsage(prompt: 19, completion: 10, cached: 0, reasoning: 0))
        #expect(result.endedCleanly)
    }

    @Test(arguments: [0, 2])
    func sluiceMockStreamStrippedIsByteIdenticalToItsStreamWithoutIncludeUsage(reasoningTokens: Int) {
        let forced = UsageFixtures.mockChat(includeUsage: true, reasoningTokens: reasoningTokens)
        let (output, result) = UsageFixtures.run(forced, stripsUsage: true)
        #expect(output == UsageFixtures.mockChat(includeUsage: false))
        #expect(result.usage == TokenUsage(prompt: 12, completion: 3, reasoning: reasoningTokens > 0 ? 2 : nil))
    }

    @Test func clientWhoAskedForUsageGetsEveryByte() {
        let stream = UsageFixtures.mockChat(includeUsage: true)
        #expect(UsageFixtures.run(stream, stripsUsage: false).output == stream)
    }

    @Test func usageObjectOnAChunkWithChoicesIsKeptAsDeepSeekSendsItUnasked() {
        let (output, result) = UsageFixtures.run(UsageFixtures.deepSeekReasoner, stripsUsage: true)
        #expect(output == UsageFixtures.deepSeekReasoner)
        #expect(result.reasoning == 188)
    }

    @Test func nullUsageAsFirstMemberIsCutWithTheCommaAfterItAndWhitespaceOutsideStays() {
        let stream = Array("data: {\"usage\":null, \"choices\":[{\"index\":0}]}\n\n".utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: true).output == Array("data: { \"choices\":[{\"index\":0}]}\n\n".utf8))
    }

    @Test func nullUsageAsOnlyMemberLeavesAnEmptyObject() {
        let stream = Array("data: { \"usage\" : null }\n\n".utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: true).output == Array("data: {  }\n\n".utf8))
    }

    @Test func nullUsageWithWhitespaceBeforeItIsCutFromTheComma() {
        let stream = Array("data: {\"id\":\"a\" , \"usage\": null}\n\n".utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: true).output == Array("data: {\"id\":\"a\" }\n\n".utf8))
    }

    @Test func azureChunkWithEmptyChoicesAndNullUsageIsKeptWithoutTheMember() {
        let chunk = #"data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"usage":null}"# + "\n\n"
        let expected = #"data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"# + "\n\n"
        #expect(UsageFixtures.run(Array(chunk.utf8), stripsUsage: true).output == Array(expected.utf8))
    }

    @Test func escapedUsageKeyIsRecognised() {
        let stream = Array(#"data: {"choices":[],"us\u0061ge":{"prompt_tokens":2,"completion_tokens":3}}"#.utf8) + Array("\n\n".utf8)
        let (output, result) = UsageFixtures.run(stream, stripsUsage: true)
        #expect(output.isEmpty)
        #expect(result.usage == TokenUsage(prompt: 2, completion: 3))
    }

    @Test func nestedUsageMembersAreNotStripped() {
        let stream = Array(#"data: {"choices":[{"index":0,"delta":{"usage":null}}],"meta":{"usage":null}}"#.utf8) + Array("\n\n".utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: true).output == stream)
    }

    @Test func keepAliveCommentBetweenEventsIsEmittedAtItsLineEndWhileStripping() {
        var filter = UsageStreamFilter(stripsUsage: true)
        var emitted: [UInt8] = []
        Array(": keep-alive\n".utf8).withUnsafeBytes { filter.feed($0) { emitted += $0 } }
        #expect(emitted == Array(": keep-alive\n".utf8))
    }

    @Test func strippingHoldsAnIncompleteEventOnlyUntilItCompletes() {
        var filter = UsageStreamFilter(stripsUsage: true)
        var emitted: [UInt8] = []
        let event = Array("data: {\"choices\":[{\"index\":0}],\"usage\":null}\n\n".utf8)
        event[..<20].withUnsafeBytes { filter.feed($0) { emitted += $0 } }
        #expect(emitted.isEmpty)
        event[20...].withUnsafeBytes { filter.feed($0) { emitted += $0 } }
        #expect(emitted == Array("data: {\"choices\":[{\"index\":0}]}\n\n".utf8))
        // Whole events in one read are emitted within that read.
        emitted = []
        (event + event).withUnsafeBytes { filter.feed($0) { emitted += $0 } }
        #expect(emitted.count == 2 * (event.count - #","usage":null"#.utf8.count))
    }

    @Test func droppedEventEndingInCRSwallowsTheLFInTheNextRead() {
        let usageChunk = Array("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\r\n\r".utf8)
        let rest = Array("\ndata: [DONE]\r\n\r\n".utf8)
        let (output, result) = UsageFixtures.run([usageChunk[...], rest[...]], stripsUsage: true)
        #expect(output == Array("data: [DONE]\r\n\r\n".utf8))
        #expect(result.endedCleanly)
    }
}
