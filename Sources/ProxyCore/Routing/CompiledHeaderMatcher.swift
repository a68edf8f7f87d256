/// One header condition of a route, compiled.
struct CompiledHeaderMatcher: Sendable {
    enum Condition: Sendable {
        case exact([UInt8])
        case present(Bool)
        case regex(LinearRegex)
    }

    /// The header's name as configured; looked up ASCII case-insensitively.
    let name: String
    let condition: Condition

    /// Nil when a regex does not compile (only for configs that skipped validation).
    init?(_ match: HeaderMatch) {
        name = match.name
        switch match.condition {
        case .exact(let value): condition = .exact(Array(value.utf8))
        case .present(let flag): condition = .present(flag)
        case .regex(let pattern):
            guard let regex = try? LinearRegex(pattern) else { return nil }
            condition = .regex(regex)
        }
    }

    /// Whether `headers` satisfy the condition; the first field of the name is tested.
    func matches(_ headers: HTTPHeaders) -> Bool {
        let value = headers.first(name)
        switch condition {
        case .present(let wanted): return (value != nil) == wanted
        case .exact(let bytes): return value.map { $0.utf8.elementsEqual(bytes) } ?? false
        case .regex(let regex): return value.map { regex.wholeMatch($0) } ?? false
        }
    }

    /// Why `headers` fail the condition, for explanations.
    func mismatchReason(_ headers: HTTPHeaders) -> String {
        let header = "header \(ConfigIssue.quoted(name))"
        let value = headers.first(name)
        switch condition {
        case .present(true): return "\(header) is absent; expected present"
        case .present(false): return "\(header) is present; expected absent"
        case .exact(let bytes):
            let expected = ConfigIssue.quoted(String(decoding: bytes, as: UTF8.self))
            guard let value else { return "\(header) is absent; expected \(expected)" }
            return "\(header) is \(ConfigIssue.quoted(value)); expected \(expected)"
        case .regex(let regex):
            guard let value else { return "\(header) is absent; expected a match for regex \(ConfigIssue.quoted(regex.pattern))" }
            return "\(header) value \(ConfigIssue.quoted(value)) does not match regex \(ConfigIssue.quoted(regex.pattern))"
        }
    }
}
