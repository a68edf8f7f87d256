/// The built-in detectors of personal data and secrets. Each finds whole tokens: a match needs
/// an ASCII word boundary on both sides (CJK text next to a number is a boundary), and checks
/// what can be checked (ID and card check digits, IBAN checksum, address ranges).
package enum GuardDetector: String, CaseIterable, Sendable {
    /// `local@domain.tld`: local part of `[A-Za-z0-9._%+-]` (at most 64), domain labels of
    /// letters, digits and `-`, a top-level label of at least two letters; at most 254 bytes.
    case email
    /// `+` and an E.164 number of 8 to 15 digits, with up to two separators (` -.()`) between
    /// digits: `+1 (555) 123-4567`, `+86 138 0013 8000`, `+44.20.7946.0958`.
    case phone
    /// A mainland-China mobile number `1[3-9]` and nine more digits, optionally 3-4-4 grouped
    /// by one space or dash.
    case chinaMobile
    /// A mainland-China resident ID: 17 digits and a check character (digit or `X`) that
    /// satisfies ISO 7064 MOD 11-2, with a real birth date (1900–2099) in digits 7–14.
    case chinaResidentID
    /// A payment card number: 13 to 19 digits starting with 2–6, single spaces or dashes
    /// between digits allowed, passing the Luhn check.
    case paymentCard
    /// An IBAN in capitals, compact or in groups split by single spaces, with its country's
    /// length and a valid mod-97 checksum.
    case iban
    /// A dotted-quad IPv4 address, octets 0–255 without leading zeros.
    case ipv4
    /// An IPv6 address with at least two colons: full, `::`-compressed, or with a dotted IPv4 tail.
    case ipv6
    /// An `sk-` API key of at least 20 key characters: Anthropic `sk-ant-…` (pattern 0),
    /// OpenAI project `sk-proj-…` (1), DeepSeek-style `sk-` and 32 hex digits (2), other `sk-…` (3).
    case apiKey
    /// An AWS access key id: `AKIA` or `ASIA` and 16 capitals or digits.
    case awsAccessKey
    /// A PEM private key block from `-----BEGIN … PRIVATE KEY-----` to its `-----END …-----`
    /// line; without an end line within 8 KiB, up to 8 KiB (or the end of the text) is matched.
    case privateKey

    /// The longest match in bytes (the detector's hold-back bound). ipv4 counts the byte after
    /// its match, which it needs to see a following `.digit`.
    package var maxMatchLength: Int {
        switch self {
        case .email: 254
        case .phone: 48
        case .chinaMobile: 13
        case .chinaResidentID: 18
        case .paymentCard: 37
        case .iban: 42
        case .ipv4: 16
        case .ipv6: 45
        case .apiKey: 200
        case .awsAccessKey: 20
        case .privateKey: 8192
        }
    }

    /// Whether a match can start with `byte`: a cheap filter before `match(at:_:)`.
    func mayStart(with byte: UInt8) -> Bool {
        switch self {
        case .email: GuardASCII.isAlphanumeric(byte)
        case .phone: byte == UInt8(ascii: "+")
        case .chinaMobile: byte == UInt8(ascii: "1")
        case .chinaResidentID: byte &- 0x31 < 9
        case .paymentCard: byte &- 0x32 < 5
        case .iban: GuardASCII.isUpper(byte)
        case .ipv4: GuardASCII.isDigit(byte)
        case .ipv6: GuardASCII.isHex(byte) || byte == UInt8(ascii: ":")
        case .apiKey: byte == UInt8(ascii: "s")
        case .awsAccessKey: byte == UInt8(ascii: "A")
        case .privateKey: byte == UInt8(ascii: "-")
        }
    }

    /// The match starting at `start` (its end and pattern), or nil. Reads only through `cursor`.
    func match(at start: Int, _ cursor: inout GuardCursor) -> (end: Int, pattern: Int)? {
        switch self {
        case .email: Self.email(at: start, &cursor).map { ($0, 0) }
        case .phone: Self.phone(at: start, &cursor).map { ($0, 0) }
        case .chinaMobile: Self.chinaMobile(at: start, &cursor).map { ($0, 0) }
        case .chinaResidentID: Self.chinaResidentID(at: start, &cursor).map { ($0, 0) }
        case .paymentCard: Self.paymentCard(at: start, &cursor).map { ($0, 0) }
        case .iban: Self.iban(at: start, &cursor).map { ($0, 0) }
        case .ipv4: Self.ipv4(at: start, &cursor).map { ($0, 0) }
        case .ipv6: Self.ipv6(at: start, &cursor).map { ($0, 0) }
        case .apiKey: Self.apiKey(at: start, &cursor)
        case .awsAccessKey: Self.awsAccessKey(at: start, &cursor).map { ($0, 0) }
        case .privateKey: Self.privateKey(at: start, &cursor).map { ($0, 0) }
        }
    }
}
