/// A text format in which the registry can be scraped.
package enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text format 0.0.4.
    case prometheusText
    /// OpenMetrics 1.0 text format.
    case openMetrics

    /// The `Content-Type` of a response in this format.
    package var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Chooses the format for a scrape from its `Accept` header value (RFC 9110 §12.5.1).
    ///
    /// OpenMetrics is chosen when `application/openmetrics-text` (with `version=1.0.0` or no
    /// version) has a strictly higher weight than every acceptable Prometheus text range
    /// (`text/plain` with `version=0.0.4` or none, `text/*`, `*/*`); otherwise, including a
    /// missing or unparsable header, Prometheus text. Prometheus itself sends
    /// `application/openmetrics-text;version=1.0.0;q=0.6,…,text/plain;version=0.0.4;q=0.3,*/*;q=0.2`.
    package static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .prometheusText }
        var bestOpenMetrics = -1
        var bestText = -1
        for range in accept.utf8.split(separator: UInt8(ascii: ",")) {
            let parts = range.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            let mediaType = parts.first.map { lowercasedTrimmed($0) } ?? []
            var weight = 1000
            var version: [UInt8]? = nil
            for parameter in parts.dropFirst() {
                guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let key = lowercasedTrimmed(parameter[..<equals])
                let value = lowercasedTrimmed(parameter[parameter.index(after: equals)...])
                if key == Array("q".utf8) {
                    weight = parseWeight(value) ?? 0
                } else if key == Array("version".utf8) {
                    version = value
                }
            }
            guard weight > 0 else { continue }
            if mediaType == Array("application/openmetrics-text".utf8) {
                if version == nil || version == Array("1.0.0".utf8) { bestOpenMetrics = max(bestOpenMetrics, weight) }
            } else if mediaType == Array("text/plain".utf8) {
                if version == nil || version == Array("0.0.4".utf8) { bestText = max(bestText, weight) }
            } else if mediaType == Array("text/*".utf8) || mediaType == Array("*/*".utf8) {
                bestText = max(bestText, weight)
            }
        }
        return bestOpenMetrics > bestText ? .openMetrics : .prometheusText
    }

    private static func lowercasedTrimmed(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var result = Array(bytes)
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { result.removeLast() }
        let leading = result.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
        result.removeFirst(leading)
        for index in result.indices where result[index] >= UInt8(ascii: "A") && result[index] <= UInt8(ascii: "Z") {
            result[index] |= 0x20
        }
        return result
    }

    /// A qvalue (`0`, `0.5`, `1.000`) in thousandths, or nil when malformed.
    private static func parseWeight(_ value: [UInt8]) -> Int? {
        guard let first = value.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var thousandths = Int(first - UInt8(ascii: "0")) * 1000
        if value.count == 1 { return thousandths }
        guard value[1] == UInt8(ascii: "."), value.count <= 5 else { return nil }
        var scale = 100
        for digit in value[2...] {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            thousandths += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return min(thousandths, 1000)
    }
}
