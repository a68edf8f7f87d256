/// The length of a rate-limit window. Windows are fixed: they start at multiples of their
/// length on the sidecar's monotonic clock.
package enum RateLimitWindow: Int, CaseIterable, Hashable, Sendable {
    case second, minute, hour, day

    package var duration: ProxyDuration {
        switch self {
        case .second: .seconds(1)
        case .minute: .seconds(60)
        case .hour: .seconds(3_600)
        case .day: .seconds(86_400)
        }
    }

    /// The config field naming this window's request limit.
    package var requestsField: String {
        switch self {
        case .second: "requestsPerSecond"
        case .minute: "requestsPerMinute"
        case .hour: "requestsPerHour"
        case .day: "requestsPerDay"
        }
    }

    /// The config field naming this window's token limit.
    package var tokensField: String {
        switch self {
        case .second: "tokensPerSecond"
        case .minute: "tokensPerMinute"
        case .hour: "tokensPerHour"
        case .day: "tokensPerDay"
        }
    }
}
