import Testing
@testable import ProxyCore

/// `HTTPHeaders`: lookup, tokens, editing. Named HTTP1… so `swift test --filter HTTP1` runs it.
@Suite struct HTTP1HeadersTests {
    @Test func lookupIgnoresAsciiCaseAndKeepsOrderAndDuplicates() {
        let headers: HTTPHeaders = ["Content-Type": "application/json", "X-Tag": "a", "x-tag": "b", "X-TAG": "c"]
        #expect(headers.count == 4)
        #expect(headers.first("content-type") == "application/json")
        #expect(headers.first("CONTENT-TYPE") == "application/json")
        #expect(headers.values("x-Tag") == ["a", "b", "c"])
        #expect(headers.contains("x-tag"))
        #expect(!headers.contains("x-ta"))
        #expect(!headers.contains("x-tags"))
        #expect(headers.first("missing") == nil)
        #expect(headers.map(\.name) == ["Content-Type", "X-Tag", "x-tag", "X-TAG"])
        #expect(headers.map(\.value) == ["application/json", "a", "b", "c"])
    }

    @Test func namesDifferingOnlyOutsideAsciiAreNotEqual() {
        #expect(HTTPHeaders.namesEqual("Straße", "STRAßE"))
        #expect(!HTTPHeaders.namesEqual("straße", "STRASSE"))
        #expect(!HTTPHeaders.namesEqual("a", "ab"))
        #expect(HTTPHeaders.namesEqual("", ""))
    }

    @Test func longNamesCompareEightBytesAtATimeIgnoringOnlyASCIICase() {
        #expect(HTTPHeaders.namesEqual("X-RateLimit-Remaining-Requests", "x-ratelimit-remaining-requests"))
        #expect(!HTTPHeaders.namesEqual("x-ratelimit-remaining-requests", "x-ratelimit-remaining-requesTx"))
        // '^' and '~', '@' and '`', '[' and '{' differ only in the case bit but are not letters.
        #expect(!HTTPHeaders.namesEqual("x-header^name", "x-header~name"))
        #expect(!HTTPHeaders.namesEqual("x-header@name", "x-header`name"))
        #expect(!HTTPHeaders.namesEqual("x-header[name", "x-header{name"))
        #expect(!HTTPHeaders.namesEqual("x-h\u{C0}ader-name", "x-h\u{E0}ader-name"))
    }

    @Test func wordLowercasingAgreesWithByteLowercasingOnEveryByte() {
        for byte in 0...255 {
            for position in 0..<8 {
                let word = UInt64(byte) << UInt64(8 * position) | 0x4142_7A5B_4060_2D39 & ~(0xFF << UInt64(8 * position))
                var expected: UInt64 = 0
                for i in 0..<8 {
                    let b = UInt8(truncatingIfNeeded: word >> UInt64(8 * i))
                    expected |= UInt64(HTTP1Bytes.lowercased(b)) << UInt64(8 * i)
                }
                #expect(HTTP1Bytes.lowercasedWord(word) == expected)
            }
        }
    }

    @Test func containsTokenReadsCommaSeparatedLists() {
        let headers: HTTPHeaders = ["Connection": "Upgrade ,  Keep-Alive\t", "connection": "x", "Other": "close"]
        #expect(headers.containsToken("connection", "keep-alive"))
        #expect(headers.containsToken("Connection", "UPGRADE"))
        #expect(headers.containsToken("connection", "x"))
        #expect(!headers.containsToken("connection", "close"))
        #expect(!headers.containsToken("connection", "keep"))
        #expect(!headers.containsToken("connection", "alive"))
        #expect(!headers.containsToken("connection", "upgrade , keep-alive"))
        #expect(!(["Connection": "closed"] as HTTPHeaders).containsToken("connection", "close"))
        #expect(!(["Connection": "cl ose"] as HTTPHeaders).containsToken("connection", "close"))
        #expect((["Connection": ",,close,"] as HTTPHeaders).containsToken("connection", "close"))
    }

    @Test func editingKeepsTheOrderOfOtherFields() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3", "C": "4"]
        headers.replaceOrAppend(name: "a", value: "new")
        #expect(headers.map(\.name) == ["A", "B", "C"])
        #expect(headers.first("A") == "new")
        headers.replaceOrAppend(name: "D", value: "5")
        #expect(headers.map(\.name) == ["A", "B", "C", "D"])
        headers.append(name: "b", value: "6")
        #expect(headers.values("B") == ["2", "6"])
        #expect(headers.remove("B") == 2)
        #expect(headers.remove("B") == 0)
        #expect(headers.map(\.name) == ["A", "C", "D"])
        #expect(headers == HTTPHeaders([("A", "new"), ("C", "4"), ("D", "5")]))
    }

    @Test func emptyHeadersAreEmpty() {
        let headers = HTTPHeaders()
        #expect(headers.isEmpty && headers.count == 0)
        #expect(headers.first("x") == nil && headers.values("x").isEmpty)
    }

    @Test func fieldsNamedByConnectionAreConnectionOptionsAndCanBeRemoved() {
        var headers: HTTPHeaders = ["Connection": "keep-alive, X-Hop ,", "connection": "Upgrade", "X-Hop": "1", "x-hop": "2",
                                    "Keep-Alive": "timeout=5", "Upgrade": "h2c", "X-End": "3"]
        #expect(headers.connectionOptions == ["keep-alive", "X-Hop", "Upgrade"])
        headers.removeConnectionOptions()
        #expect(headers.map(\.name) == ["Connection", "connection", "X-End"])
        let plain: HTTPHeaders = ["a": "b"]
        #expect(plain.connectionOptions.isEmpty)
    }

    @Test func reflectedValuesAreCappedAndFreeOfControlCharacters() {
        var headers = HTTPHeaders()
        headers.appendReflected(name: "x-sluice-model", value: String(repeating: "m", count: HTTPHeaders.maxReflectedValueBytes))
        headers.appendReflected(name: "x-long", value: String(repeating: "m", count: HTTPHeaders.maxReflectedValueBytes + 1))
        headers.appendReflected(name: "x-crlf", value: "a\r\nX-Injected: yes")
        #expect(headers.map(\.name) == ["x-sluice-model"])
    }

    @Test func fieldStringsFromBytesKeepTheirTextWhetherCommonShortLongOrNotUTF8() {
        func string(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { HTTPHeaders.fieldString($0) } }
        for text in ["application/json", "text/event-stream", "application/json; charset=utf-8", "application/jsoN",
                     "application/jsonx", "text/event-streaM", "", "x", "fifteen-bytes!!", "a value well over fifteen bytes"] {
            #expect(string(Array(text.utf8)) == text)
        }
        // obs-text that is not UTF-8 becomes U+FFFD, as before.
        #expect(string([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    }
}
