import Testing
@testable import ProxyCore

@Suite struct SSEEncoderTests {
    @Test func eventsAreWrittenInTheProvidersStyle() {
        var buffer: [UInt8] = []
        SSEEncoder.appendEvent(name: "message_stop", data: Array(#"{"type":"message_stop"}"#.utf8), to: &buffer)
        SSEEncoder.appendEvent(name: nil, data: "[DONE]".utf8, id: "42", retry: 1000, to: &buffer)
        SSEEncoder.appendComment(" ping", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == """
            event: message_stop
            data: {"type":"message_stop"}

            id: 42
            retry: 1000
            data: [DONE]

            : ping

            """)
    }

    @Test func dataWithLineEndingsBecomesSeveralDataLines() {
        var buffer: [UInt8] = []
        SSEEncoder.appendEvent(name: nil, data: "a\nb\r\nc\rd\n".utf8, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "data: a\ndata: b\ndata: c\ndata: d\ndata: \n\n")
        var parser = SSEParser()
        #expect((try? parser.feed(buffer)) == [.event(SSEEvent(data: Array("a\nb\nc\nd\n".utf8)))])
    }

    @Test func emptyDataAndEmptyNameStillMakeAMessageEvent() {
        var buffer: [UInt8] = []
        SSEEncoder.appendEvent(name: "", data: [UInt8](), to: &buffer)
        #expect(buffer == Array("data: \n\n".utf8))
        var parser = SSEParser()
        #expect((try? parser.feed(buffer)) == [.event(SSEEvent(data: []))])
    }

    @Test func multiLineCommentsBecomeSeveralComments() {
        var buffer: [UInt8] = []
        SSEEncoder.appendComment("one\ntwo", to: &buffer)
        #expect(buffer == Array(":one\n:two\n".utf8))
    }

    @Test(arguments: ["openai", "anthropic"])
    func reEncodingParsedStreamsRoundTrips(provider: String) throws {
        let stream = provider == "openai" ? SSEFixtures.openAIStream : SSEFixtures.anthropicStream
        var parser = SSEParser()
        let items = try parser.feed(stream)
        var encoded: [UInt8] = []
        for item in items {
            switch item {
            case .event(let event): SSEEncoder.appendEvent(event, to: &encoded)
            case .comment(let text): SSEEncoder.appendComment(text, to: &encoded)
            }
        }
        if provider == "anthropic" {
            // Anthropic's bytes are already in the encoder's style, so even the bytes match.
            #expect(encoded == stream)
        }
        var reparser = SSEParser()
        #expect(try reparser.feed(encoded) == items)
        #expect(reparser.finish() == .complete)
    }

    @Test func eventsWithEveryFieldRoundTrip() throws {
        let original = SSEEvent(name: Array("delta".utf8), data: Array(" lead\n\ntrail ".utf8), id: [], retry: 0)
        var encoded: [UInt8] = []
        SSEEncoder.appendEvent(original, to: &encoded)
        var parser = SSEParser()
        #expect(try parser.feed(encoded) == [.event(original)])
    }
}
