import Testing
@testable import ProxyCore

/// Chunk boundaries are TCP receive boundaries: the same stream split anywhere gives the same items.
@Suite struct SSEParserSplitTests {
    @Test func openAIStreamParsesIntoChunksUsageAndDone() {
        let (items, error, end) = SSEFixtures.parse([SSEFixtures.openAIStream[...]])
        #expect(error == nil)
        #expect(end == .complete)
        let events = SSEFixtures.events(items)
        #expect(events.count == 6)
        #expect(events.allSatisfy { $0.name == nil && $0.id == nil && $0.isNamed("message") })
        #expect(String(decoding: events[2].data, as: UTF8.self).contains(#""content":", wörld ✓\n""#))
        #expect(String(decoding: events[4].data, as: UTF8.self).hasSuffix(#""usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#))
        #expect(events[5].data == Array("[DONE]".utf8))
        #expect(items[2] == .comment(Array(" keep-alive".utf8)))
    }

    @Test func anthropicStreamParsesIntoNamedEvents() {
        let (items, error, end) = SSEFixtures.parse([SSEFixtures.anthropicStream[...]])
        #expect(error == nil)
        #expect(end == .complete)
        let names = SSEFixtures.events(items).map { String(decoding: $0.name ?? [], as: UTF8.self) }
        #expect(names == [
            "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(SSEFixtures.events(items).last?.data == Array(#"{"type":"message_stop"}"#.utf8))
        #expect(SSEFixtures.events(items)[0].isNamed("message_start"))
    }

    @Test(arguments: ["openai", "anthropic"], ["\n", "\r\n", "\r"])
    func splittingAtEveryByteBoundaryGivesIdenticalItems(provider: String, ending: String) {
        let base = provider == "openai" ? SSEFixtures.openAIStream : SSEFixtures.anthropicStream
        let stream = withLineEnding(base, ending)
        let expected = SSEFixtures.parse([base[...]])
        #expect(SSEFixtures.parse([stream[...]]).items == expected.items)
        for split in 0...stream.count {
            let result = SSEFixtures.parse([stream[..<split], stream[split...]])
            #expect(result.items == expected.items, "split at \(split)")
            #expect(result.end == .complete)
        }
    }

    @Test(arguments: ["openai", "anthropic"], ["\n", "\r\n", "\r"])
    func feedingOneByteAtATimeGivesIdenticalItems(provider: String, ending: String) {
        let base = provider == "openai" ? SSEFixtures.openAIStream : SSEFixtures.anthropicStream
        let stream = withLineEnding(base, ending)
        let oneByOne = stream.indices.map { stream[$0...$0] }
        let result = SSEFixtures.parse(oneByOne)
        #expect(result.items == SSEFixtures.parse([base[...]]).items)
        #expect(result.end == .complete)
    }

    @Test func emptyChunksChangeNothing() {
        let stream = withLineEnding(SSEFixtures.anthropicStream, "\r\n")
        var chunks: [ArraySlice<UInt8>] = []
        for index in stream.indices { chunks += [[], stream[index...index], []] }
        #expect(SSEFixtures.parse(chunks).items == SSEFixtures.parse([SSEFixtures.anthropicStream[...]]).items)
    }
}
