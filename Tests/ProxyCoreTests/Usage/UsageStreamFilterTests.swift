import Testing
@testable import ProxyCore

/// Reading usage from real-shaped streams, and passing every byte through when not stripping.
@Suite struct UsageStreamFilterTests {
    @Test func openAIStreamWithIncludeUsageReportsTheFinalUsageChunk() {
        let stream = UsageFixtures.openAIChat(includeUsage: true)
        let (output, result) = UsageFixtures.run(stream, stripsUsage: false)
        #expect(output == stream)
        #expect(result.usage == TokenUsage(prompt: 19, completion: 10, cached: 0, reasoning: 0))
        #expect(result.reported)
        #expect(result.endedCleanly)
    }

    @Test func deepSeekReasonerReportsReasoningTokensFromTheFinishChunk() {
        let (output, result) = UsageFixtures.run(UsageFixtures.deepSeekReasoner, stripsUsage: false)
        #expect(output == UsageFixtures.deepSeekReasoner)
        #expect(result.prompt == 13)
        #expect(result.completion == 227)
        #expect(result.reasoning == 188)
        #expect(result.cached == 0)
        #expect(result.endedCleanly)
    }

    @Test func deepSeekCacheHitTokensCountAsCachedWhenOpenAIsFieldIsAbsent() {
        let (_, result) = UsageFixtures.run(UsageFixtures.deepSeekChatCacheHit, stripsUsage: false)
        #expect(result.usage == TokenUsage(prompt: 1024, completion: 2, cached: 960, reasoning: nil))
    }

    @Test func anthropicStreamAddsCacheReadsToInputAndTakesOutputFromMessageDelta() {
        let (output, result) = UsageFixtures.run(UsageFixtures.anthropicMessages, stripsUsage: false)
        #expect(output == UsageFixtures.anthropicMessages)
        #expect(result.usage == TokenUsage(prompt: 25 + 2048, completion: 15, cached: 2048, cacheWritten: 0, reasoning: nil))
        #expect(result.endedCleanly)
    }

    @Test func anthropicStreamIsNeverChangedEvenWhenStripping() {
        let (output, result) = UsageFixtures.run(UsageFixtures.anthropicMessages, stripsUsage: true)
        #expect(output == UsageFixtures.anthropicMessages)
        #expect(result.completion == 15)
    }

    @Test func streamWithoutUsageIsUnreportedButClean() {
        let stream = UsageFixtures.openAIChat(includeUsage: false)
        let (output, result) = UsageFixtures.run(stream, stripsUsage: false)
        #expect(output == stream)
        #expect(result.usage == TokenUsage())
        #expect(!result.reported)
        #expect(result.endedCleanly)
    }

    @Test func streamCutBeforeDoneDidNotEndCleanly() {
        let stream = UsageFixtures.openAIChat(includeUsage: true)
        let done = Array("data: [DONE]\n\n".utf8)
        let cut = Array(stream.dropLast(done.count))
        let result = UsageFixtures.run(cut, stripsUsage: false).usage
        #expect(!result.endedCleanly)
        #expect(result.completion == 10)
    }

    @Test func anthropicStreamCutBeforeMessageStopDidNotEndCleanly() {
        let stream = UsageFixtures.anthropicMessages
        let stop = Array("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".utf8)
        let result = UsageFixtures.run(Array(stream.dropLast(stop.count)), stripsUsage: false).usage
        #expect(!result.endedCleanly)
        #expect(result.completion == 15)
    }

    @Test func streamCutInsideAnEventAfterDoneDidNotEndCleanly() {
        let stream = UsageFixtures.openAIChat(includeUsage: true) + Array("data: {\"x\"".utf8)
        let (output, result) = UsageFixtures.run(stream, stripsUsage: true)
        #expect(!result.endedCleanly)
        // The incomplete event is held while stripping, and let out unchanged at the end.
        #expect(output == UsageFixtures.openAIChat(includeUsage: false) + Array("data: {\"x\"".utf8))
    }

    @Test func doneWithoutItsBlankLineIsNotAnEndAsTheSSESpecDiscardsIt() {
        let stream = Array("data: {\"choices\":[]}\n\ndata: [DONE]\n".utf8)
        #expect(!UsageFixtures.run(stream, stripsUsage: false).usage.endedCleanly)
    }

    @Test func perChunkUsageKeepsTheLastRunningTotal() {
        let stream = Array("""
            data: {"choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":7,"completion_tokens":1,"total_tokens":8}}

            data: {"choices":[{"index":0,"delta":{"content":"b"}}],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}

            data: [DONE]


            """.utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: false).usage.usage == TokenUsage(prompt: 7, completion: 2))
    }

    @Test func crlfLineEndingsAndKeepAliveCommentsPassThroughAndReportTheSameUsage() {
        for ending in ["\r\n", "\r"] {
            let stream = withLineEnding(UsageFixtures.deepSeekReasoner, ending)
            let (output, result) = UsageFixtures.run(stream, stripsUsage: false)
            #expect(output == stream)
            #expect(result.reasoning == 188)
            #expect(result.endedCleanly)
        }
    }

    @Test func malformedAndNonJSONPayloadsPassUnreadAndUnchanged() {
        let stream = Array("""
            data: {"usage":{"prompt_tokens":5

            data: not json at all

            data: {"usage":{"prompt_tokens":-3,"completion_tokens":1.5}}

            data: {"usage":{"prompt_tokens":99999999999999999999999}}

            data: [DONE]


            """.utf8)
        for strips in [false, true] {
            let (output, result) = UsageFixtures.run(stream, stripsUsage: strips)
            #expect(output == stream)
            #expect(!result.reported)
            #expect(result.endedCleanly)
        }
    }

    @Test func dataSplitOverSeveralLinesIsJoinedBeforeReading() {
        let stream = Array("data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n".utf8)
        let read = UsageFixtures.run(stream, stripsUsage: false)
        #expect(read.output == stream)
        #expect(read.usage.usage == TokenUsage(prompt: 4, completion: 2))
        // Stripping drops it as the usage-only chunk it is.
        #expect(UsageFixtures.run(stream, stripsUsage: true).output == Array("data: [DONE]\n\n".utf8))
    }

    @Test func fieldsOtherThanDataAreNotReadAsPayload() {
        let stream = Array("event: x\nid: 1\ndatum: {\"usage\":{\"prompt_tokens\":1}}\nretry: 10\n\n".utf8)
        let (output, result) = UsageFixtures.run(stream, stripsUsage: true)
        #expect(output == stream)
        #expect(!result.reported)
    }

    @Test func aLeadingByteOrderMarkDoesNotHideTheFirstEvent() {
        let stream = [0xEF, 0xBB, 0xBF] + Array("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n".utf8)
        #expect(UsageFixtures.run(stream, stripsUsage: false).usage.usage == TokenUsage(prompt: 3, completion: 4))
    }

    @Test func passThroughEmitsEveryChunkAtOnceBeforeFeedReturns() {
        let stream = UsageFixtures.openAIChat(includeUsage: true)
        var filter = UsageStreamFilter(stripsUsage: false)
        for cut in [1, 10, 300] {
            var emitted: [UInt8] = []
            let chunk = Array(stream[..<cut])
            filter = UsageStreamFilter(stripsUsage: false)
            chunk.withUnsafeBytes { filter.feed($0) { emitted += $0 } }
            #expect(emitted == chunk, "nothing is held when not stripping")
        }
    }

    @Test func anEventLargerThanTheLimitPassesThroughUnreadAndBounded() {
        let big = "data: {\"choices\":[],\"pad\":\"" + String(repeating: "x", count: 500) + "\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n"
        let stream = Array((big + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":9}}\n\ndata: [DONE]\n\n").utf8)
        for strips in [false, true] {
            let chunks = stride(from: 0, to: stream.count, by: 64).map { stream[$0..<min($0 + 64, stream.count)] }
            let (output, result) = UsageFixtures.run(chunks, stripsUsage: strips, maxEventBytes: 200)
            // The big event passes whole and unchanged; the next one is read (and stripped).
            #expect(output.starts(with: Array(big.utf8)))
            #expect(result.usage == TokenUsage(prompt: 8, completion: 9))
            #expect(result.endedCleanly)
            #expect(output.count == (strips ? big.utf8.count + 14 : stream.count))
        }
    }

    @Test func finishResetsTheFilterForANewStream() {
        var filter = UsageStreamFilter(stripsUsage: true)
        let first = UsageFixtures.openAIChat(includeUsage: true)
        first.withUnsafeBytes { filter.feed($0) { _ in } }
        #expect(filter.finish { _ in }.reported)
        let second = UsageFixtures.openAIChat(includeUsage: false)
        var output: [UInt8] = []
        second.withUnsafeBytes { filter.feed($0) { output += $0 } }
        let result = filter.finish { output += $0 }
        #expect(!result.reported)
        #expect(output == second)
    }
}
