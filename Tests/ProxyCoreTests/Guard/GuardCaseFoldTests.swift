import Testing
@testable import ProxyCore

@Suite struct GuardCaseFoldTests {
    @Test func foldingKeepsTheUTF8LengthAndIsIdempotentForEveryTwoByteCharacter() {
        for scalar in UInt32(0x80)..<0x800 {
            let folded = GuardCaseFold.fold(scalar)
            #expect((0x80..<0x800).contains(folded), "U+\(String(scalar, radix: 16)) folds out of the two-byte range")
            #expect(GuardCaseFold.fold(folded) == folded, "U+\(String(scalar, radix: 16)) folds twice")
        }
    }

    @Test func capitalsFoldToTheSwiftLowercaseWhereTheFoldApplies() {
        for text in ["ÀÉÎÕÜÞ", "ĀĞŁŃŒŠŽŸ", "ΑΒΓΔΆΈΉΊΌΎΏ", "АБВЁЖЯЀЏ", "ѠҊӁӐԮ"] {
            var folded: [UInt8] = []
            let bytes = Array(text.utf8)
            var index = 0
            while index < bytes.count {
                let length = GuardCaseFold.characterLength(bytes, at: index) ?? 1
                GuardCaseFold.appendFolded(bytes, at: index, length: length, to: &folded)
                index += length
            }
            #expect(String(decoding: folded, as: UTF8.self) == text.lowercased())
        }
    }

    @Test func unfoldedCharactersStayAsTheyAre() {
        // Dotted capital I, long s, sharp s, CJK, full-width A.
        for scalar: UInt32 in [0x130, 0x131, 0x17F, 0xDF, 0x4E2D, 0xFF21, 0xD7] {
            #expect(GuardCaseFold.fold(scalar) == scalar)
        }
    }

    @Test func anIncompleteCharacterAtTheEndHasNoLengthYet() {
        let bytes = Array("中".utf8)
        #expect(GuardCaseFold.characterLength(Array(bytes[0..<2]), at: 0) == nil)
        #expect(GuardCaseFold.characterLength(bytes, at: 0) == 3)
        #expect(GuardCaseFold.characterLength([0xE4, 0x41], at: 0) == 1)
    }
}
