import Testing
@testable import ProxyCore

/// Where a response's first token is: fed byte by byte and split at every position, under
/// every line ending an event stream allows.
@Suite struct FirstTokenDetectorTests {
    /// The index of the byte whose feeding reports `.found`, fed one byte at a time; nil when none does.
    static func foundAt(_ bytes: [UInt8], eventStream: Bool = true) -> Int? {
        var detector = FirstTokenDetector(eventStream: eventStream)
        for index in bytes.indices where [bytes[index]].withUnsafeBytes({ detector.feed($0) }) == .found {
            return index
        }
        return nil
    }

    /// The scans of `chunks`, fed in order to one detector.
    static func scans(_ chunks: [ArraySlice<UInt8>], eventStream: Bool = true) -> [FirstTokenDetector.Scan] {
        var detector = FirstTokenDetector(eventStream: eventStream)
        return chunks.map { chunk in Array(chunk).withUnsafeBytes { detector.feed($0) } }
    }

    /// The index of the `:` after the first `data` that starts a line (where a data field is known).
    static func dataColon(_ bytes: [UInt8]) -> Int {
        let start = bytes.indices.first { index in
            bytes[index...].starts(with: "data:".utf8) && (index == 0 || bytes[index - 1] == 0x0A || bytes[index - 1] == 0x0D)
        }
        return start! + 4
    }

    static let endings = ["\n", "\r\n", "\r"]

    @Test(arguments: endings)
    func keepAliveCommentsAndBlankLinesAreNotTokens(ending: String) {
        let stream = withLineEnding(Array(": keep-alive\n\n: keep-alive\n\n\n\n:\n".utf8), ending)
        #expect(Self.foundAt(stream) == nil)
        var detector = FirstTokenDetector(eventStream: true)
        #expect(stream.withUnsafeBytes { detector.feed($0) } == .notYet)
        #expect(!detector.hasFound)
    }

    @Test(arguments: endings)
    func aDataFieldAtTheStartOfALineIsTheFirstToken(ending: String) {
        let stream = withLineEnding(Array(": keep-alive\n\n: keep-alive\n\ndata: {\"choices\":[]}\n\n".utf8), ending)
        #expect(Self.foundAt(stream) == Self.dataColon(stream))
        var detector = FirstTokenDetector(eventStream: true)
        #expect(stream.withUnsafeBytes { detector.feed($0) } == .found)
        #expect(detector.hasFound)
    }

    @Test(arguments: endings)
    func anEventLineBeforeItsDataLineIsNotYetTheToken(ending: String) {
        let stream = withLineEnding(Array("event: message_start\nid: 7\nretry: 10\ndata: {\"type\":\"message_start\"}\n\n".utf8), ending)
        #expect(Self.foundAt(stream) == Self.dataColon(stream))
    }

    @Test(arguments: endings)
    func theTokenIsFoundInTheChunkThatCompletesTheDataFieldWhereverTheStreamIsSplit(ending: String) {
        let stream = withLineEnding(Array(": keep-alive\n\nevent: x\ndata: y\n\ndata: z\n\n".utf8), ending)
        let colon = Self.dataColon(stream)
        for first in 0...stream.count {
            let expected: [FirstTokenDetector.Scan] = [first > colon ? .found : .notYet, .found]
            #expect(Self.scans([stream[..<first], stream[first...]]) == expected, "split at \(first)")
            for second in first...stream.count {
                let scans = Self.scans([stream[..<first], stream[first..<second], stream[second...]])
                let foundIn = first > colon ? 0 : second > colon ? 1 : 2
                #expect(scans.firstIndex(of: .found) == foundIn, "split at \(first) and \(second)")
                #expect(scans[foundIn...].allSatisfy { $0 == .found })
            }
        }
    }

    @Test(arguments: [" data: x", "\tdata: x", "datum: x", "data2: x", "Data: x", "DATA: x", "dat: x", "dat", "xdata: x",
                      ":data: x", ": data: x", "event: data", "id: data:"])
    func aLineThatOnlyLooksLikeADataFieldIsNone(line: String) {
        for ending in Self.endings {
            #expect(Self.foundAt(Array("\(line)\(ending)\(ending)".utf8)) == nil, "\(line) ending \(ending.utf8.map { $0 })")
        }
    }

    @Test(arguments: endings)
    func aBareDataLineCountsAtItsLineEnding(ending: String) {
        #expect(Self.foundAt(Array(": ping\(ending)data\(ending)".utf8)) == 6 + ending.utf8.count + 4)
        // Without its line ending it may still become `datum:`.
        #expect(Self.foundAt(Array(": ping\(ending)data".utf8)) == nil)
    }

    @Test func theDetectorStaysFoundAfterItsToken() {
        var detector = FirstTokenDetector(eventStream: true)
        #expect(Array("data: a\n".utf8).withUnsafeBytes { detector.feed($0) } == .found)
        #expect(Array(": keep-alive\n\n".utf8).withUnsafeBytes { detector.feed($0) } == .found)
        #expect([UInt8]().withUnsafeBytes { detector.feed($0) } == .found)
        #expect(detector.hasFound)
    }

    @Test(arguments: endings)
    func aLeadingByteOrderMarkIsSkippedAsTheSSEParserSkipsIt(ending: String) {
        let stream = [0xEF, 0xBB, 0xBF] + withLineEnding(Array("data: x\n\n".utf8), ending)
        #expect(Self.foundAt(stream) == 7)
        for split in 0...stream.count {
            #expect(Self.scans([stream[..<split], stream[split...]]) == [split > 7 ? .found : .notYet, .found], "split at \(split)")
        }
        // Only at the very start: later, those bytes start a line that is no data field.
        let later = withLineEnding(Array(": hi\n".utf8), ending) + [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)
        #expect(Self.foundAt(later) == nil)
    }

    @Test func aBrokenByteOrderMarkMakesTheFirstLineNoDataField() {
        // As for `SSEParser`: the bytes matched so far are the start of the first line's field name.
        let stream = [0xEF, 0xBB] + Array("data: x\n\ndata: y\n\n".utf8)
        #expect(Self.foundAt(stream) == Self.dataColon(stream))
        #expect(Self.foundAt([0xEF] + Array("\ndata: y\n".utf8)) == 6)
    }

    @Test func aJSONBodysFirstTokenIsItsFirstByteThatIsNotWhitespace() {
        let body = Array(" \r\n\t\n\n{\"id\":\"x\"}".utf8)
        #expect(Self.foundAt(body, eventStream: false) == 6)
        for split in 0...body.count {
            #expect(Self.scans([body[..<split], body[split...]], eventStream: false) == [split > 6 ? .found : .notYet, .found])
        }
        #expect(Self.foundAt(Array("\n\n\n  ".utf8), eventStream: false) == nil)
        #expect(Self.foundAt(Array("\n[1]".utf8), eventStream: false) == 1)
        // An event stream's rules do not apply: a comment is content.
        #expect(Self.foundAt(Array(": keep-alive\n".utf8), eventStream: false) == 0)
    }
}
