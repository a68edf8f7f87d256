/// One entry of `fallback.on.statuses`: an exact status code or a whole class.
package enum StatusMatch: Hashable, Sendable {
    /// Exactly this status, 400 to 599.
    case code(Int)
    /// Every status of this class: 4 (`"4xx"`) or 5 (`"5xx"`).
    case statusClass(Int)

    /// Whether `status` is this code or in this class.
    package func matches(_ status: Int) -> Bool {
        switch self {
        case .code(let code): status == code
        case .statusClass(let digit): status / 100 == digit
        }
    }

    /// How the config writes it: `429` or `"5xx"`.
    package var jsonValue: JSONValue {
        switch self {
        case .code(let code): .number(JSONNumber(code))
        case .statusClass(let digit): .string("\(digit)xx")
        }
    }
}
