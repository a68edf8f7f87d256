/// What one of a consumer's usage meters counts, and over which window or period.
package enum UsageMeterKind: Hashable, Sendable {
    /// A token rate limit (`rateLimits.tokensPer…`), on the monotonic clock.
    case tokens(RateLimitWindow)
    /// A token quota (`quotas.tokensPerDay`, `tokensPerMonth`), UTC calendar periods.
    case tokenQuota(QuotaPeriod)
    /// A spend quota (`quotas.costPerDay`, `costPerMonth`) in millionths of the currency.
    case costQuota(QuotaPeriod)

    /// The kind of limit a refusal names (`sluice_rate_limited_total{reason}`).
    package var limitKind: LimitKind {
        switch self {
        case .tokens: .tokens
        case .tokenQuota: .quota
        case .costQuota: .budget
        }
    }

    /// The config field that sets it: `tokensPerMinute`, `quotas.costPerMonth`, …
    package var field: String {
        switch self {
        case .tokens(let window): window.tokensField
        case .tokenQuota(.day): "quotas.tokensPerDay"
        case .tokenQuota(.month): "quotas.tokensPerMonth"
        case .costQuota(.day): "quotas.costPerDay"
        case .costQuota(.month): "quotas.costPerMonth"
        }
    }

    /// Its window or period number and how long until it starts over, at `instant`.
    package func period(at instant: MeterInstant) -> (number: UInt64, reset: ProxyDuration) {
        switch self {
        case .tokens(let window):
            let length = window.duration.nanoseconds
            let number = instant.monotonic.nanoseconds / length
            return (number, ProxyDuration(nanoseconds: (number + 1) * length - instant.monotonic.nanoseconds))
        case .tokenQuota(let period), .costQuota(let period):
            let seconds = instant.wallNanoseconds / 1_000_000_000
            return (period.number(atWallSeconds: seconds),
                    .seconds(period.secondsUntilReset(atWallSeconds: seconds)))
        }
    }
}

/// The kinds of limit that refuse a request with 429 (`sluice_rate_limited_total{reason}`).
package enum LimitKind: String, CaseIterable, Hashable, Sendable {
    /// A request rate limit: `rate_limit_exceeded`.
    case requests
    /// A token rate limit: `rate_limit_exceeded`.
    case tokens
    /// A token quota: `insufficient_quota`.
    case quota
    /// A spend quota: `insufficient_quota`.
    case budget

    /// The error `code` of the 429.
    package var code: String {
        switch self {
        case .requests, .tokens: "rate_limit_exceeded"
        case .quota, .budget: "insufficient_quota"
        }
    }
}

/// The two clocks meters read: rate windows run on the monotonic clock, quota periods on the
/// wall clock (UTC calendar days and months).
package struct MeterInstant: Hashable, Sendable {
    package let monotonic: ProxyInstant
    package let wallNanoseconds: UInt64

    package init(monotonic: ProxyInstant, wallNanoseconds: UInt64) {
        self.monotonic = monotonic
        self.wallNanoseconds = wallNanoseconds
    }
}
