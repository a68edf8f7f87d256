/// Byte constants and classes shared by the YAML reader and writer (ASCII subset of YAML 1.2 §5).
enum YAMLByte {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let bang: UInt8 = 0x21  // !
    static let doubleQuote: UInt8 = 0x22
    static let hash: UInt8 = 0x23  // #
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let singleQuote: UInt8 = 0x27
    static let asterisk: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let greater: UInt8 = 0x3E  // >
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let backtick: UInt8 = 0x60
    static let leftBrace: UInt8 = 0x7B
    static let pipe: UInt8 = 0x7C
    static let rightBrace: UInt8 = 0x7D
    static let tilde: UInt8 = 0x7E

    /// Space or tab: YAML's "white" characters.
    static func isWhite(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// `,[]{}`: the characters that end a plain scalar inside a flow collection.
    static func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == comma || byte == leftBracket || byte == rightBracket || byte == leftBrace || byte == rightBrace
    }

    /// `-?:,[]{}#&*!|>'"%@` and backtick: the characters that may not start a plain scalar
    /// (`-?:` may, when followed by a non-space; the reader checks that separately).
    static func isIndicator(_ byte: UInt8) -> Bool {
        switch byte {
        case minus, question, colon, comma, leftBracket, rightBracket, leftBrace, rightBrace, hash,
            ampersand, asterisk, bang, pipe, greater, singleQuote, doubleQuote, percent, at, backtick:
            return true
        default:
            return false
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Whether a Unicode scalar may appear unescaped in a YAML stream (YAML 1.2 `c-printable`).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF:
            return true
        default:
            return false
        }
    }
}
