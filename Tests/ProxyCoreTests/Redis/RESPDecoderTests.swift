import ProxyCore
import Testing

/// Decodes every value in `input` fed whole.
func decodeAll(_ input: [UInt8], limits: RESPDecoderLimits = RESPDecoderLimits()) throws(RESPDecodingError) -> [RESPValue] {
    try decodeAll(input, cuts: [], limits: limits)
}

/// Decodes every value in `input` fed in pieces cut at `cuts` (sorted offsets).
func decodeAll(_ input: [UInt8], cuts: [Int], limits: RESPDecoderLimits = RESPDecoderLimits()) throws(RESPDecodingError) -> [RESPValue] {
    var decoder = RESPDecoder(limits: limits)
    var values: [RESPValue] = []
    var start = 0
    for cut in cuts + [input.count] {
        decoder.feed(input[start..<cut])
        while let value = try decoder.next() { values.append(value) }
        start = cut
    }
    return values
}

@Suite struct RESPDecoderTests {
    @Test(arguments: [
        ("+OK\r\n", RESPValue.simpleString("OK")),
        ("+\r\n", .simpleString("")),
        ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":+7\r\n", .integer(7)),
        (":9223372036854775807\r\n", .integer(.max)),
        (":-9223372036854775808\r\n", .integer(.min)),
        ("$5\r\nhello\r\n", .bulk("hello")),
        ("$0\r\n\r\n", .bulk("")),
        ("$4\r\na\r\nb\r\n", .bulkString(bytes("a\r\nb"))),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        ("*2\r\n$1\r\na\r\n:1\r\n", .array([.bulk("a"), .integer(1)])),
        ("*2\r\n*1\r\n+x\r\n*0\r\n", .array([.array([.simpleString("x")]), .array([])])),
        ("_\r\n", .null),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        (",3.25\r\n", .double(3.25)),
        (",-1e-3\r\n", .double(-0.001)),
        (",10\r\n", .double(10)),
        (",inf\r\n", .double(.infinity)),
        (",-inf\r\n", .double(-.infinity)),
        ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
        ("(-1\r\n", .bigNumber("-1")),
        ("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
        ("=15\r\ntxt:Some string\r\n", .verbatim(format: "txt", text: bytes("Some string"))),
        ("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
         .map([RESPMapEntry(key: .simpleString("first"), value: .integer(1)), RESPMapEntry(key: .simpleString("second"), value: .integer(2))])),
        ("%0\r\n", .map([])),
        ("~2\r\n+a\r\n+b\r\n", .set([.simpleString("a"), .simpleString("b")])),
        (">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n", .push([.simpleString("message"), .simpleString("chan"), .bulk("hi")])),
    ])
    func eachTypeDecodes(_ input: String, _ expected: RESPValue) throws {
        #expect(try decodeAll(bytes(input)) == [expected])
    }

    @Test func nanDecodesToNaN() throws {
        let values = try decodeAll(bytes(",nan\r\n"))
        guard case .double(let value) = values.first else {
            Issue.record("expected a double, got \(values)")
            return
        }
        #expect(value.isNaN)
    }

    @Test func attributesAreSkippedAtTopLevelAndInsideAggregates() throws {
        let input = "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n|0\r\n+after\r\n"
        #expect(try decodeAll(bytes(input)) == [.array([.integer(1), .integer(2)]), .simpleString("after")])
    }

    @Test func aPipelineOfRepliesInOneReadComesOutInOrder() throws {
        let input = "+OK\r\n:1\r\n$3\r\nabc\r\n*1\r\n_\r\n-ERR no\r\n"
        #expect(try decodeAll(bytes(input)) == [.simpleString("OK"), .integer(1), .bulk("abc"), .array([.null]), .error("ERR no")])
    }

    static let splitCorpus: [String] = [
        "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n%2\r\n+a\r\n:1\r\n+b\r\n~1\r\n#t\r\n",
        "|1\r\n+meta\r\n:1\r\n>2\r\n+invalidate\r\n*1\r\n$3\r\nkey\r\n=8\r\ntxt:a\r\nb\r\n",
        "$10\r\n0123456789\r\n,1.5\r\n(12345678901234567890\r\n!3\r\nERR\r\n*-1\r\n$-1\r\n_\r\n",
        "*2\r\n*2\r\n:0\r\n:5460\r\n*0\r\n+done\r\n",
    ]

    @Test(arguments: splitCorpus)
    func everySplitPointGivesTheSameValues(_ text: String) throws {
        let input = bytes(text)
        let whole = try decodeAll(input)
        #expect(!whole.isEmpty)
        for cut in 0...input.count {
            #expect(try decodeAll(input, cuts: [cut]) == whole, "split at \(cut)")
        }
        #expect(try decodeAll(input, cuts: Array(1..<input.count)) == whole, "one byte at a time")
    }

    @Test func randomMultiWaySplitsGiveTheSameValues() throws {
        var random = SplitMix64(seed: 16)
        for text in Self.splitCorpus {
            let input = bytes(text)
            let whole = try decodeAll(input)
            for _ in 0..<200 {
                let cuts = (0..<3).map { _ in Int.random(in: 0...input.count, using: &random) }.sorted()
                #expect(try decodeAll(input, cuts: cuts) == whole, "cuts \(cuts)")
            }
        }
    }

    @Test func aBulkStringArrivingInPiecesIsReturnedOnlyWhenComplete() throws {
        var decoder = RESPDecoder()
        decoder.feed(bytes("$6\r\nfoo"))
        #expect(try decoder.next() == nil)
        #expect(decoder.isInsideReply)
        decoder.feed(bytes("bar\r"))
        #expect(try decoder.next() == nil)
        decoder.feed(bytes("\n"))
        #expect(try decoder.next() == .bulk("foobar"))
        #expect(try decoder.next() == nil)
        #expect(!decoder.isInsideReply)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: [
        ("?x\r\n", RESPDecodingError.unknownType(UInt8(ascii: "?"))),
        ("+OK\n", .badLineEnding),
        ("+O\rK\r\n", .badLineEnding),
        ("\r\n", .badLineEnding),
        ("\n", .badLineEnding),
        ("$3\r\nabcd\r\n", .badLineEnding),
        ("$3\r\nabc\n\n", .badLineEnding),
        (":12a\r\n", .badNumber),
        (":\r\n", .badNumber),
        (":-\r\n", .badNumber),
        (":9223372036854775808\r\n", .badNumber),
        (":-9223372036854775809\r\n", .badNumber),
        ("$-2\r\n", .badNumber),
        ("$99999999999999999999\r\n", .badNumber),
        ("*-2\r\n", .badNumber),
        ("%-1\r\n", .badNumber),
        ("!-1\r\n", .badNumber),
        ("#x\r\n", .badValue),
        ("#\r\n", .badValue),
        ("_x\r\n", .badValue),
        (",0x1p3\r\n", .badNumber),
        (",infinity\r\n", .badNumber),
        (",\r\n", .badNumber),
        ("(12a\r\n", .badNumber),
        ("(\r\n", .badNumber),
        ("=3\r\ntxt\r\n", .badValue),
        ("=4\r\ntxt-\r\n", .badValue),
        ("=5\r\nt\u{7F}t:x\r\n", .badValue),
    ])
    func malformedInputIsRejected(_ input: String, _ expected: RESPDecodingError) {
        #expect(throws: expected) { try decodeAll(bytes(input)) }
    }

    @Test func aFailedDecoderStaysFailed() throws {
        var decoder = RESPDecoder()
        decoder.feed(bytes("+OK\r\n?bad\r\n+later\r\n"))
        #expect(try decoder.next() == .simpleString("OK"))
        #expect(throws: RESPDecodingError.unknownType(UInt8(ascii: "?"))) { try decoder.next() }
        decoder.feed(bytes("+more\r\n"))
        #expect(throws: RESPDecodingError.unknownType(UInt8(ascii: "?"))) { try decoder.next() }
    }

    @Test func limitsAreEnforcedBeforeTheBytesArrive() {
        let small = RESPDecoderLimits(maxBulkBytes: 8, maxAggregateCount: 4, maxDepth: 2, maxLineBytes: 16, maxReplyBytes: 64)
        #expect(throws: RESPDecodingError.limitExceeded(.bulkBytes, 8)) { try decodeAll(bytes("$9\r\n"), limits: small) }
        #expect(throws: RESPDecodingError.limitExceeded(.aggregateCount, 4)) { try decodeAll(bytes("*5\r\n"), limits: small) }
        #expect(throws: RESPDecodingError.limitExceeded(.aggregateCount, 4)) { try decodeAll(bytes("%5\r\n"), limits: small) }
        #expect(throws: RESPDecodingError.limitExceeded(.depth, 2)) { try decodeAll(bytes("*1\r\n*1\r\n*1\r\n"), limits: small) }
        #expect(throws: RESPDecodingError.limitExceeded(.lineBytes, 16)) { try decodeAll(bytes("+" + String(repeating: "a", count: 18)), limits: small) }
        #expect(throws: RESPDecodingError.limitExceeded(.lineBytes, 16)) { try decodeAll(bytes("+" + String(repeating: "a", count: 40) + "\r\n"), limits: small) }
        // Many small elements add up: the reply's total size is capped too.
        let four = "*4\r\n" + String(repeating: "$8\r\n12345678\r\n", count: 4)
        let wide = "*2\r\n" + four + four
        #expect(throws: RESPDecodingError.limitExceeded(.replyBytes, 64)) { try decodeAll(bytes(wide), limits: small) }
        // Declared sizes within the limits are fine.
        #expect((try? decodeAll(bytes("*2\r\n*1\r\n$8\r\n12345678\r\n:1\r\n"), limits: small)) == [.array([.array([.bulk("12345678")]), .integer(1)])])
    }

    @Test func theReplyAllowanceStartsAfreshForEachReply() throws {
        let limits = RESPDecoderLimits(maxReplyBytes: 16)
        let input = bytes(String(repeating: "$5\r\nabcde\r\n", count: 10))
        #expect(try decodeAll(input, limits: limits).count == 10)
    }

    @Test func aHugeDeclaredCountDoesNotAllocateUpFront() throws {
        var decoder = RESPDecoder()
        decoder.feed(bytes("*1000000\r\n:1\r\n"))
        #expect(try decoder.next() == nil)
        #expect(decoder.isInsideReply)
    }

    @Test func consumedBytesAreReleasedAsRepliesComplete() throws {
        var decoder = RESPDecoder()
        for index in 0..<10_000 {
            decoder.feed(bytes(":\(index)\r\n"))
            #expect(try decoder.next() == .integer(Int64(index)))
        }
        #expect(decoder.bufferedByteCount == 0)
    }
}
