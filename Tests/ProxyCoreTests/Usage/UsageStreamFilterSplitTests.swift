import Testing
@testable import ProxyCore

/// Read boundaries are libcurl's: the same stream split anywhere gives the same output
/// bytes and the same usage.
@Suite struct UsageStreamFilterSplitTests {
    static let streams: [String: [UInt8]] = [
        "openai": UsageFixtures.openAIChat(includeUsage: true),
        "openai-unasked": UsageFixtures.openAIChat(includeUsage: false),
        "mock": UsageFixtures.mockChat(includeUsage: true, reasoningTokens: 1),
        "deepseek-r1": UsageFixtures.deepSeekReasoner,
        "deepseek-cache": UsageFixtures.deepSeekChatCacheHit,
        "anthropic": UsageFixtures.anthropicMessages,
    ]

    @Test(arguments: ["openai", "openai-unasked", "mock", "deepseek-r1", "deepseek-cache", "anthropic"], ["\n", "\r\n", "\r"])
    func splittingAtEveryByteBoundaryGivesIdenticalOutputAndUsage(name: String, ending: String) {
        let stream = withLineEnding(Self.streams[name]!, ending)
        for strips in [false, true] {
            let whole = UsageFixtures.run(stream, stripsUsage: strips)
            #expect(whole.usage.endedCleanly)
            for split in 0...stream.count {
                let parts = UsageFixtures.run([stream[..<split], stream[split...]], stripsUsage: strips)
                #expect(parts.output == whole.output, "split at \(split), stripping \(strips)")
                #expect(parts.usage == whole.usage, "split at \(split), stripping \(strips)")
            }
        }
    }

    @Test(arguments: ["openai", "openai-unasked", "mock", "deepseek-r1", "deepseek-cache", "anthropic"], ["\n", "\r\n", "\r"])
    func feedingOneByteAtATimeGivesIdenticalOutputAndUsage(name: String, ending: String) {
        let stream = withLineEnding(Self.streams[name]!, ending)
        let bytes = stream.indices.map { stream[$0...$0] }
        for strips in [false, true] {
            let whole = UsageFixtures.run(stream, stripsUsage: strips)
            let oneByOne = UsageFixtures.run(bytes, stripsUsage: strips)
            #expect(oneByOne.output == whole.output)
            #expect(oneByOne.usage == whole.usage)
        }
    }

    @Test func oneByteAtATimeStrippingStillMatchesTheUnaskedStream() {
        for ending in ["\n", "\r\n", "\r"] {
            let forced = withLineEnding(UsageFixtures.openAIChat(includeUsage: true), ending)
            let unasked = withLineEnding(UsageFixtures.openAIChat(includeUsage: false), ending)
            #expect(UsageFixtures.run(forced.indices.map { forced[$0...$0] }, stripsUsage: true).output == unasked)
        }
    }

    @Test func splittingAtTwoPointsWithASmallLimitAgreesWithWholeFeeding() {
        let stream = withLineEnding(UsageFixtures.openAIChat(includeUsage: true), "\r\n")
        for strips in [false, true] {
            let whole = UsageFixtures.run(stream, stripsUsage: strips, maxEventBytes: 120)
            for first in stride(from: 0, through: stream.count, by: 29) {
                for second in stride(from: first, through: stream.count, by: 101) {
                    let parts = UsageFixtures.run([stream[..<first], stream[first..<second], stream[second...]],
                                                  stripsUsage: strips, maxEventBytes: 120)
                    #expect(parts.output == whole.output, "cuts \(first), \(second)")
                    #expect(parts.usage == whole.usage, "cuts \(first), \(second)")
                }
            }
        }
    }

    @Test func emptyReadsChangeNothing() {
        let stream = UsageFixtures.openAIChat(includeUsage: true)
        var chunks: [ArraySlice<UInt8>] = []
        for index in stride(from: 0, to: stream.count, by: 5) { chunks += [[], stream[index..<min(index + 5, stream.count)]] }
        #expect(UsageFixtures.run(chunks, stripsUsage: true).output == UsageFixtures.openAIChat(includeUsage: false))
    }

    @Test func anEventExactlyAtTheLimitIsReadWhetherOrNotItsFinalCRLFIsSplit() {
        let event = Array("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\r\n\r\n".utf8)
        let limit = event.count - 1
        let whole = UsageFixtures.run(event, stripsUsage: true, maxEventBytes: limit)
        let split = UsageFixtures.run([event.dropLast(), event.suffix(1)], stripsUsage: true, maxEventBytes: limit)
        #expect(whole.output.isEmpty)
        #expect(split.output == whole.output)
        #expect(split.usage == whole.usage)
        #expect(whole.usage.completion == 2)
    }
}
