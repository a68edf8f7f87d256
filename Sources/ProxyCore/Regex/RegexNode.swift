/// A parsed pattern. Case-insensitivity is already applied (a literal that has other cases is a
/// `.set`), groups are gone (capturing or not, they only group), and `.literal` holds UTF-8 bytes.
indirect enum RegexNode: Hashable, Sendable {
    /// Matches the empty string.
    case empty
    /// These bytes, in order (one or more whole scalars).
    case literal([UInt8])
    /// One scalar of the set.
    case set(RegexScalarSet)
    /// A zero-width condition.
    case assertion(RegexAssertion)
    /// Each in turn.
    case concat([RegexNode])
    /// The first that leads to a match, in order (leftmost-first, like Python and Perl).
    case alternation([RegexNode])
    /// `min` to `max` (nil: unbounded) repetitions; greedy prefers more, lazy fewer.
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)

    /// Whether the node can match without consuming input.
    var canMatchEmpty: Bool {
        switch self {
        case .empty, .assertion: return true
        case .literal, .set: return false
        case .concat(let nodes): return nodes.allSatisfy(\.canMatchEmpty)
        case .alternation(let nodes): return nodes.contains(where: \.canMatchEmpty)
        case .repetition(let node, let min, _, _): return min == 0 || node.canMatchEmpty
        }
    }
}
