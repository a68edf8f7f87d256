/// Limits per rate window, one number each (a nil window is unlimited): a consumer's request
/// limits (`RequestRateLimits`, `rateLimits.requestsPer…`) and the windows of its token limits
/// (`TokenRateLimits`, `rateLimits.tokensPer…`) are both this.
package struct RateWindowLimits: Hashable, Sendable {
    package let perSecond: Int?
    package let perMinute: Int?
    package let perHour: Int?
    package let perDay: Int?

    package init(perSecond: Int? = nil, perMinute: Int? = nil, perHour: Int? = nil, perDay: Int? = nil) {
        self.perSecond = perSecond
        self.perMinute = perMinute
        self.perHour = perHour
        self.perDay = perDay
    }

    /// The set windows with their limits, shortest window first.
    package var windows: [(window: RateLimitWindow, limit: Int)] {
        var out: [(window: RateLimitWindow, limit: Int)] = []
        if let perSecond { out.append((.second, perSecond)) }
        if let perMinute { out.append((.minute, perMinute)) }
        if let perHour { out.append((.hour, perHour)) }
        if let perDay { out.append((.day, perDay)) }
        return out
    }
}

/// A consumer's request limits, one per window (`rateLimits.requestsPer…`).
package typealias RequestRateLimits = RateWindowLimits
