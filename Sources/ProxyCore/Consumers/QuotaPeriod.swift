/// A quota's calendar period in UTC, on the wall clock (unlike rate-limit windows, which run
/// on the monotonic clock): quotas reset at midnight UTC and on the first of the month.
package enum QuotaPeriod: Int, CaseIterable, Hashable, Sendable {
    case day, month

    /// The period's number at `wallSeconds` since the epoch: days or months since 1970-01.
    package func number(atWallSeconds wallSeconds: UInt64) -> UInt64 {
        let days = wallSeconds / 86_400
        switch self {
        case .day: return days
        case .month:
            let (year, month) = Self.civilMonth(fromDays: days)
            return UInt64(year - 1970) * 12 + UInt64(month - 1)
        }
    }

    /// Seconds from `wallSeconds` until the next period starts (at least 1).
    package func secondsUntilReset(atWallSeconds wallSeconds: UInt64) -> UInt64 {
        let next: UInt64
        switch self {
        case .day: next = (wallSeconds / 86_400 + 1) * 86_400
        case .month:
            let months = number(atWallSeconds: wallSeconds) + 1
            next = Self.days(year: 1970 + Int(months / 12), month: Int(months % 12) + 1) * 86_400
        }
        return max(1, next - wallSeconds)
    }

    /// How long a shared counter of one period lives in Redis from its first increment: past
    /// the end of the longest such period, so it never expires while its period runs.
    package var keyLifetime: ProxyDuration {
        switch self {
        case .day: .seconds(2 * 86_400)
        case .month: .seconds(32 * 86_400)
        }
    }

    /// The name in admin answers and metric labels.
    package var label: String { self == .day ? "day" : "month" }

    /// Year and month (1–12) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civilMonth(fromDays days: UInt64) -> (year: Int, month: Int) {
        let z = Int(days) + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month)
    }

    /// Days since 1970-01-01 of the first day of `month` (1–12) of `year` (days_from_civil).
    static func days(year: Int, month: Int) -> UInt64 {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return UInt64(era * 146_097 + dayOfEra - 719_468)
    }
}
