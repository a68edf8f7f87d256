/// A route's model condition, compiled: bytes to compare, a glob, or a regex.
enum CompiledModelMatcher: Sendable {
    case exact([UInt8])
    case prefix([UInt8])
    case glob(GlobPattern)
    case regex(LinearRegex)
    case oneOf([[UInt8]])

    /// Nil when a regex does not compile (only for configs that skipped validation).
    init?(_ match: ModelMatch) {
        switch match {
        case .exact(let name): self = .exact(Array(name.utf8))
        case .prefix(let prefix): self = .prefix(Array(prefix.utf8))
        case .glob(let pattern): self = .glob(GlobPattern(pattern))
        case .regex(let pattern):
            guard let regex = try? LinearRegex(pattern) else { return nil }
            self = .regex(regex)
        case .oneOf(let names): self = .oneOf(names.map { Array($0.utf8) })
        }
    }

    /// Whether `model` satisfies the condition. Byte-wise; a regex must match the whole model.
    func matches(_ model: String) -> Bool {
        switch self {
        case .exact(let bytes): return model.utf8.elementsEqual(bytes)
        case .prefix(let bytes): return model.utf8.starts(with: bytes)
        case .glob(let glob): return glob.matches(model)
        case .regex(let regex): return regex.wholeMatch(model)
        case .oneOf(let names):
            for name in names where model.utf8.elementsEqual(name) { return true }
            return false
        }
    }

    /// For explanations: `glob "gpt-4o*"`, `one of "a", "b"`.
    var description: String {
        switch self {
        case .exact(let bytes): return "exact \(Self.quoted(bytes))"
        case .prefix(let bytes): return "prefix \(Self.quoted(bytes))"
        case .glob(let glob): return "glob \(Self.quoted(glob.bytes))"
        case .regex(let regex): return "regex \(ConfigIssue.quoted(regex.pattern))"
        case .oneOf(let names): return "one of " + names.map(Self.quoted).joined(separator: ", ")
        }
    }

    private static func quoted(_ bytes: [UInt8]) -> String { ConfigIssue.quoted(String(decoding: bytes, as: UTF8.self)) }
}
