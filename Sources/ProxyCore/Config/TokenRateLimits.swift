/// A consumer's token limits, one per window (`rateLimits.tokensPer…`), and which tokens they
/// count (`rateLimits.tokenCounting`). A nil window is unlimited.
package struct TokenRateLimits: Hashable, Sendable {
    package let limits: RateWindowLimits
    package let counting: TokenCounting

    package init(perSecond: Int? = nil, perMinute: Int? = nil, perHour: Int? = nil, perDay: Int? = nil,
                 counting: TokenCounting = .total) {
        limits = RateWindowLimits(perSecond: perSecond, perMinute: perMinute, perHour: perHour, perDay: perDay)
        self.counting = counting
    }

    /// The set windows with their limits, shortest window first.
    package var windows: [(window: RateLimitWindow, limit: Int)] { limits.windows }
}

/// Which of a response's tokens a token limit counts (`rateLimits.tokenCounting`).
package enum TokenCounting: String, CaseIterable, Hashable, Sendable {
    /// Prompt tokens only.
    case input
    /// Completion tokens only (reasoning included).
    case output
    /// Prompt plus completion tokens (the default).
    case total

    /// The tokens counted of `prompt` input and `completion` output tokens (saturating: the
    /// counts come from a provider).
    @inline(__always)
    package func count(prompt: Int, completion: Int) -> Int {
        switch self {
        case .input: prompt
        case .output: completion
        case .total: TokenCounting.total(prompt, completion)
        }
    }

    /// `prompt + completion`, saturating at `Int.max`.
    @inline(__always)
    package static func total(_ prompt: Int, _ completion: Int) -> Int {
        let (sum, overflow) = prompt.addingReportingOverflow(completion)
        return overflow ? Int.max : sum
    }
}
