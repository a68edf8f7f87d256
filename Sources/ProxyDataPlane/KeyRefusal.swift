/// Why a provider refused a backend key: a bounded label for
/// `sluice_backend_keys_set_aside_total{reason}` (`docs/metrics.md`).
enum KeyRefusal: String, CaseIterable {
    case unauthorized
    case forbidden
    case rateLimited = "rate_limited"

    /// The refusal a response status means; nil for any other status.
    init?(status: Int) {
        switch status {
        case 401: self = .unauthorized
        case 403: self = .forbidden
        case 429: self = .rateLimited
        default: return nil
        }
    }
}
