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

    /// The verdict of an answer: flagged when any `results[].flagged` is true, allowed when
    /// there are results and none is flagged; anything else (a non-2xx status, no `results`,
    /// not JSON) is a failed call.
    package static func verdict(status: Int, body: [UInt8]) -> GuardModerationVerdict {
        guard (200..<300).contains(status) else { return .failed(kind: "status") }
        guard case .object(let answer)? = try? JSONParser.parse(body, options: .init(maxDepth: 16)),
              case .array(let results)? = answer["results"], !results.isEmpty else { return .failed(kind: "invalid") }
        var flagged = false
        for result in results {
            guard case .object(let object) = result, case .bool(let flag)? = object["flagged"] else { return .failed(kind: "invalid") }
            flagged = flagged || flag
        }
        return flagged ? .flagged : .allowed
    }
}
