import Testing
@testable import ProxyCore

@Suite struct SSEParserTests {
    private func items(_ text: String, maxEventBytes: Int = 1 << 20) -> [SSEItem] {
        SSEFixtures.parse([Array(text.utf8)[...]], maxEventBytes: maxEventBytes).items
    }

    private func event(_ data: String, name: String? = nil, id: String? = nil, retry: UInt64? = nil) -> SSEItem {
        .event(SSEEvent(name: name.map { Array($0.utf8) }, data: Array(data.utf8), id: id.map { Array($0.utf8) }, retry: retry))
    }

    @Test func crAtTheEndOfAChunkAndLFAtTheStartOfTheNextAreOneLineEnding() {
        let chunks: [ArraySlice<UInt8>] = [Array("data: a\r".utf8)[...], Array("\ndata: b\r\n\r\n".utf8)[...]]
        #expect(SSEFixtures.parse(chunks).items == [event("a\nb")])
        // Two CRs are two line endings, so the second is a blank line that dispatches.
        let crcr: [ArraySlice<UInt8>] = [Array("data: a\r".utf8)[...], Array("\rdata: b\n\n".utf8)[...]]
        #expect(SSEFixtures.parse(crcr).items == [event("a"), event("b")])
    }

    @Test func multipleDataLinesAreJoinedWithNewlines() {
        #expect(items("data: first\ndata:second\ndata\ndata:  indented\n\n") == [event("first\nsecond\n\n indented")])
    }

    @Test func onlyOneSpaceAfterTheColonIsRemoved() {
        #expect(items("data:  two spaces\n\n") == [event(" two spaces")])
        #expect(items("data:\tno space\n\n") == [event("\tno space")])
        #expect(items("data: a: b\n\n") == [event("a: b")])
    }

    @Test func anEventWithoutDataIsNotDispatchedButResetsTheType() {
        #expect(items("event: ping\n\ndata: x\n\n") == [event("x")])
        #expect(items("id: 1\nretry: 10\n\n").isEmpty)
    }

    @Test func anEmptyDataLineDispatchesAnEventWithEmptyData() {
        #expect(items("data\n\n") == [event("")])
        #expect(items("data:\n\n") == [event("")])
    }

    @Test func eventNameResetsAfterDispatchAndAnEmptyNameMeansMessage() {
        #expect(items("event: a\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n") == [event("1", name: "a"), event("2"), event("3")])
    }

    @Test func lastEventIDPersistsAcrossEventsAndIgnoresValuesWithNUL() {
        #expect(items("id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n") == [
            event("a", id: "7"), event("b", id: "7"), event("c", id: "7"), event("d", id: ""),
        ])
    }

    @Test func retryAcceptsOnlyDigitsThatFit() {
        var parser = SSEParser()
        let parsed = try? parser.feed(Array("retry: 3000\ndata: a\n\nretry: 12a\ndata: b\n\nretry: 99999999999999999999\nretry:\ndata: c\n\n".utf8))
        #expect(parsed == [event("a", retry: 3000), event("b"), event("c")])
        #expect(parser.reconnectionTime == 3000)
    }

    @Test func unknownFieldsAndFieldNamesDifferingInCaseAreIgnored() {
        #expect(items("Data: no\nfoo: bar\ndata: yes\n\n") == [event("yes")])
    }

    @Test func commentsAreReportedInStreamOrderEvenInsideAnEvent() {
        #expect(items(": ping\n\ndata: a\n:mid\ndata: b\n\n:\n") == [
            .comment(Array(" ping".utf8)), .comment(Array("mid".utf8)), event("a\nb"), .comment([]),
        ])
    }

    @Test func oneLeadingByteOrderMarkIsSkippedEvenWhenSplit() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let stream = bom + bom + Array("data: x\n\n".utf8)
        let whole = SSEFixtures.parse([stream[...]]).items
        // The second BOM is content: it makes the field name "\u{FEFF}data", which is ignored.
        #expect(whole.isEmpty)
        let once = bom + Array("data: x\n\n".utf8)
        for split in 0...once.count {
            #expect(SSEFixtures.parse([once[..<split], once[split...]]).items == [event("x")])
        }
    }

    @Test func aPartialByteOrderMarkIsContent() {
        let stream: [UInt8] = [0xEF, 0xBB] + Array(":c\n".utf8)
        #expect(SSEFixtures.parse([stream[...]]).items.isEmpty)  // a line "\u{EF}\u{BB}:c", a field, ignored
        #expect(SSEFixtures.parse([stream[..<1], stream[1...]]).end == .truncated)  // inside an event
        let comment: [UInt8] = [0xEF] + Array("\n: hi\n".utf8)
        #expect(SSEFixtures.parse([comment[..<1], comment[1...]]).items == [.comment(Array(" hi".utf8))])
        #expect(SSEFixtures.parse([[0xEF, 0xBB]]).end == .truncated)
    }

    @Test func finishReportsAStreamCutInsideAnEventOrALine() {
        #expect(SSEFixtures.parse([Array("data: a\n\n".utf8)[...]]).end == .complete)
        #expect(SSEFixtures.parse([Array("data: a\n\n: bye\n".utf8)[...]]).end == .complete)
        #expect(SSEFixtures.parse([Array("data: a\r".utf8)[...]]).end == .truncated)
        #expect(SSEFixtures.parse([Array("data: a\n".utf8)[...]]).end == .truncated)
        #expect(SSEFixtures.parse([Array("data: a\n\ndata: {\"choi".utf8)[...]]).end == .truncated)
        #expect(SSEFixtures.parse([Array(": partial comment".utf8)[...]]).end == .truncated)
        #expect(SSEFixtures.parse([]).end == .complete)
    }

    @Test func finishDiscardsThePendingEventAndResetsTheParser() {
        var parser = SSEParser()
        _ = try? parser.feed(Array("id: 1\ndata: lost".utf8))
        #expect(parser.finish() == .truncated)
        #expect((try? parser.feed(Array("data: b\n\n".utf8))) == [event("b")])
        #expect(parser.finish() == .complete)
    }

    @Test func anEventLargerThanTheLimitIsAnErrorNotUnboundedGrowth() {
        let limit = 16
        let small = SSEFixtures.parse([Array("data: 0123456789\n\n".utf8)[...]], maxEventBytes: limit)
        #expect(small.error == nil)
        let large = SSEFixtures.parse([Array("data: 1\n\ndata: 0123456789\ndata: 0123456789\n\n".utf8)[...]], maxEventBytes: limit)
        #expect(large.items == [event("1")])
        #expect(large.error == .eventTooLarge(maxEventBytes: limit))
        #expect(large.end == .truncated)
        // A line that never ends fails as soon as it exceeds the limit, however it is split.
        let endless = Array(repeating: UInt8(ascii: "x"), count: 40)[...]
        #expect(SSEFixtures.parse([endless.prefix(10), endless.dropFirst(10)], maxEventBytes: limit).error == .eventTooLarge(maxEventBytes: limit))
        #expect(SSEFixtures.parse([Array(": 0123456789abcdefgh\n".utf8)[...]], maxEventBytes: limit).error != nil)
    }

    @Test func afterAnErrorEveryFeedThrowsTheSameError() {
        var parser = SSEParser(maxEventBytes: 4)
        #expect(throws: SSEParserError.eventTooLarge(maxEventBytes: 4)) { try parser.feed(Array("data: 12345".utf8)) }
        #expect(throws: SSEParserError.eventTooLarge(maxEventBytes: 4)) { try parser.feed(Array("\n\n".utf8)) }
    }

    @Test func theCallbackFormReportsItemsFromARawBuffer() throws {
        var parser = SSEParser()
        var seen: [SSEItem] = []
        let bytes = Array(": hi\ndata: x\n\n".utf8)
        try bytes.withUnsafeBytes { buffer in
            try parser.feed(buffer) { seen.append($0) }
        }
        #expect(seen == [.comment(Array(" hi".utf8)), event("x")])
    }
}
