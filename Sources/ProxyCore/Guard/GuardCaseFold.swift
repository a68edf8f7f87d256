/// The simple case folding the keyword matcher applies to keywords and text alike.
///
/// Folds only where the folded character has the same UTF-8 length, so match offsets in the
/// folded text are offsets in the original:
/// - ASCII `A`–`Z`;
/// - Latin-1 `À`–`Þ` (not `×`), and `µ` to Greek `μ`;
/// - Latin Extended-A pairs (`Ā`–`ž`, `Ÿ` to `ÿ`), except dotted `İ`, dotless `ı` and long `ſ`,
///   whose folds change length or language;
/// - Greek capitals (with tonos) and final `ς` to `σ`;
/// - Cyrillic `Ѐ`–`Я` and the paired letters of U+0460–U+052F.
/// Nothing else folds: CJK has no case, and full-width Latin (`Ａ`) is not folded to ASCII.
enum GuardCaseFold {
    /// The folded scalar value of `scalar`.
    static func fold(_ scalar: UInt32) -> UInt32 {
        switch scalar {
        case 0x41...0x5A: return scalar + 0x20
        case 0x00...0x7F: return scalar
        case 0xB5: return 0x3BC
        case 0xC0...0xDE where scalar != 0xD7: return scalar + 0x20
        case 0x100...0x12F, 0x132...0x137, 0x14A...0x177: return scalar | 1
        case 0x139...0x148, 0x179...0x17E: return scalar & 1 == 1 ? scalar + 1 : scalar
        case 0x178: return 0xFF
        case 0x386: return 0x3AC
        case 0x388...0x38A: return scalar + 37
        case 0x38C: return 0x3CC
        case 0x38E...0x38F: return scalar + 63
        case 0x391...0x3A1, 0x3A3...0x3AB: return scalar + 0x20
        case 0x3C2: return 0x3C3
        case 0x400...0x40F: return scalar + 0x50
        case 0x410...0x42F: return scalar + 0x20
        case 0x460...0x481, 0x48A...0x4BF, 0x4D0...0x52F: return scalar | 1
        case 0x4C0: return 0x4CF
        case 0x4C1...0x4CE: return scalar & 1 == 1 ? scalar + 1 : scalar
        default: return scalar
        }
    }

    /// Appends the folded UTF-8 of one character given as `length` bytes (1 to 4) of `bytes`
    /// starting at `index`; bytes that are not a two-byte sequence pass unchanged.
    static func appendFolded(_ bytes: [UInt8], at index: Int, length: Int, to out: inout [UInt8]) {
        let lead = bytes[index]
        if length == 1 {
            out.append(lead >= 0x41 && lead <= 0x5A ? lead + 0x20 : lead)
        } else if length == 2 {
            let folded = fold(UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))
            out.append(0xC0 | UInt8(folded >> 6))
            out.append(0x80 | UInt8(folded & 0x3F))
        } else {
            out.append(contentsOf: bytes[index..<index + length])
        }
    }

    /// The length of the UTF-8 character at `index`: 1 to 4 for a whole character (1 for a byte
    /// that starts no valid sequence), or nil when `bytes` ends inside one.
    static func characterLength(_ bytes: [UInt8], at index: Int) -> Int? {
        let lead = bytes[index]
        let expected: Int
        switch lead {
        case 0xC2...0xDF: expected = 2
        case 0xE0...0xEF: expected = 3
        case 0xF0...0xF4: expected = 4
        default: return 1
        }
        for offset in 1..<expected {
            guard index + offset < bytes.count else { return nil }
            guard bytes[index + offset] & 0xC0 == 0x80 else { return 1 }
        }
        return expected
    }
}
