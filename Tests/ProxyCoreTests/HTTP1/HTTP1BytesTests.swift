import Testing
@testable import ProxyCore

/// The byte classes and word-at-a-time searches the parser relies on, against naive definitions.
@Suite struct HTTP1BytesTests {
    @Test func tokenBytesAreExactlyTchar() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for b in 0...255 {
            #expect(HTTP1Bytes.isTokenByte(UInt8(b)) == tchar.contains(UInt8(b)), "byte \(b)")
        }
    }

    @Test func fieldValueBytesExcludeEveryControlButTab() {
        for b in 0...255 {
            let expected = b == 0x09 || (b >= 0x20 && b != 0x7F)
            #expect(HTTP1Bytes.isFieldValueByte(UInt8(b)) == expected, "byte \(b)")
        }
    }

    @Test func wordAtATimeSearchesAgreeWithByteLoops() {
        // Every byte value at every position of buffers around the word size, on top of
        // backgrounds that stress the borrow trick (0x00, 0x1F, 0x80, 0xFF).
        for background: UInt8 in [0x61, 0x00, 0x1F, 0x80, 0xFF] {
            for length in [7, 9, 17] {
                for position in 0..<length {
                    for b in 0...255 {
                        var buffer = [UInt8](repeating: background, count: length)
                        buffer[position] = UInt8(b)
                        buffer.withUnsafeBytes { raw in
                            for start in [0, min(1, length)] {
                                let naiveBreak = (start..<length).first { raw[$0] == 0x0D || raw[$0] == 0x0A } ?? length
                                let naiveInvalid = (start..<length).first { !HTTP1Bytes.isFieldValueByte(raw[$0]) }
                                if HTTP1Bytes.firstLineBreak(in: raw, from: start, to: length) != naiveBreak {
                                    Issue.record("line break: background \(background) length \(length) position \(position) byte \(b)")
                                }
                                if HTTP1Bytes.firstInvalidFieldValueByte(in: raw, start..<length) != naiveInvalid {
                                    Issue.record("value byte: background \(background) length \(length) position \(position) byte \(b)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func wordAtATimeTokenEndAgreesWithTheByteLoop() {
        // Every byte value at every position, on backgrounds of token bytes at the edges of the
        // word-wise ranges ("0", "9", "A", "Z", "a", "z", "-", "_") and of other tchars ("!", "~").
        for background in Array("09AZaz-_!~".utf8) {
            for length in [1, 7, 8, 9, 16, 17] {
                for position in 0..<length {
                    for b in 0...255 {
                        var buffer = [UInt8](repeating: background, count: length)
                        buffer[position] = UInt8(b)
                        buffer.withUnsafeBytes { raw in
                            for start in [0, min(1, length)] {
                                let naive = (start..<length).first { !HTTP1Bytes.isTokenByte(raw[$0]) } ?? length
                                if HTTP1Bytes.tokenEnd(in: raw, from: start, to: length) != naive {
                                    Issue.record("token end: background \(background) length \(length) position \(position) byte \(b)")
                                }
                            }
                            let whole = HTTP1Bytes.isToken(raw)
                            if whole != raw.allSatisfy(HTTP1Bytes.isTokenByte) {
                                Issue.record("isToken: background \(background) length \(length) position \(position) byte \(b)")
                            }
                        }
                    }
                }
            }
        }
        #expect(!HTTP1Bytes.isToken(UnsafeRawBufferPointer(start: nil, count: 0)), "an empty name is no token")
    }
}
