/// The Prometheus naming rules that registration enforces.
///
/// Names are ours (written in code, not read from input), so a violation is a programmer
/// error and registration traps with a precondition naming the culprit.
enum MetricNameRules {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved for Prometheus itself).
    static func isValidLabelName(_ name: String) -> Bool {
        if name.utf8.starts(with: "__".utf8) { return false }
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Checks every label name of a family, and that none repeats.
    static func validateLabelNames(_ labelNames: [String], family: String, forbidding reserved: [String] = []) {
        for (index, label) in labelNames.enumerated() {
            precondition(isValidLabelName(label), "metric \(family): invalid label name \"\(label)\"")
            precondition(!reserved.contains(label), "metric \(family): label name \"\(label)\" is reserved")
            precondition(!labelNames[..<index].contains(label), "metric \(family): duplicate label name \"\(label)\"")
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
