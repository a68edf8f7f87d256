/// What a moderation service said about a prompt.
package enum GuardModerationVerdict: Equatable, Sendable {
    case allowed
    case flagged
    /// The call failed or its answer could not be read; `kind` is a metric label
    /// (`timeout`, `connect`, `status`, `invalid`).
    case failed(kind: String)
}

/// The external moderation hook's contract (`docs/guard.md`): OpenAI's `/v1/moderations`
/// request and answer shape. Pure.
package enum GuardModeration {
    /// The largest answer read; a longer one counts as a failed call.
    package static let maxAnswerBytes = 64 * 1024

    /// `{"input":["text", …]}`: the checked texts, one string each.
    package static func requestBody(texts: [[UInt8]]) -> [UInt8] {
        var out = Array(#"{"input":["#.utf8)
        for (index, text) in texts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            text.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &out) }
        }
        out += Array("]}".utf8)
        return out
    }

    /// The verdict of an answer. Without `thresholds`: flagged when any `results[].flagged` is
    /// true, allowed when there are results and none is flagged. With them, each result is
    /// judged on its own: flagged when a listed category's `category_scores` entry is above its
    /// threshold, or a category not listed is true in `categories` (the service's own decision);
    /// `flagged` is not read. Anything else (a non-2xx status, no `results`, a result without a
    /// boolean `flagged` — or, with thresholds, without a `category_scores` object, or with a
    /// listed score that is not a number — not JSON) is a failed call.
    package static func verdict(status: Int, body: [UInt8], thresholds: [String: Double] = [:]) -> GuardModerationVerdict {
        guard (200..<300).contains(status) else { return .failed(kind: "status") }
        guard case .object(let answer)? = try? JSONParser.parse(body, options: .init(maxDepth: 16)),
              case .array(let results)? = answer["results"], !results.isEmpty else { return .failed(kind: "invalid") }
        var flagged = false
        for result in results {
            guard case .object(let object) = result else { return .failed(kind: "invalid") }
            let decision = thresholds.isEmpty ? serviceFlag(object) : thresholdFlag(object, thresholds: thresholds)
            guard let decision else { return .failed(kind: "invalid") }
            flagged = flagged || decision
        }
        return flagged ? .flagged : .allowed
    }

    /// The result's own `flagged`, nil when it is not a boolean.
    private static func serviceFlag(_ result: JSONObject) -> Bool? {
        guard case .bool(let flag)? = result["flagged"] else { return nil }
        return flag
    }

    /// Whether a listed category's score is above its threshold or an unlisted category is
    /// true in `categories`; nil when the result cannot be judged so.
    private static func thresholdFlag(_ result: JSONObject, thresholds: [String: Double]) -> Bool? {
        guard case .object(let scores)? = result["category_scores"] else { return nil }
        var flagged = false
        for (category, threshold) in thresholds {
            // A category the service does not score (another provider's list) cannot flag.
            guard let value = scores[category] else { continue }
            guard case .number(let number) = value, let score = number.double else { return nil }
            if score > threshold { flagged = true }
        }
        switch result["categories"] {
        case nil:
            break
        case .object(let categories)?:
            for (category, value) in categories.members where thresholds[category] == nil {
                guard case .bool(let flag) = value else { return nil }
                if flag { flagged = true }
            }
        default:
            return nil
        }
        return flagged
    }
}
