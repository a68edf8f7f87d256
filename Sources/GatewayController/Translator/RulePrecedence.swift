import ProxyCore

/// The order of rules on one gateway (docs/crds.md, Precedence): the most specific match
/// first, so adding a route for one model never captures a more specific existing one.
enum RulePrecedence {
    /// 1. a path before none; 2. model exact, prefix (longer first), glob (longer first),
    /// regex, none; 3. more header conditions first; 4. the older route, its name, rule order,
    /// match order.
    static func isBefore(_ a: RulePlacement, _ b: RulePlacement) -> Bool {
        let left = key(a), right = key(b)
        if left.noPath != right.noPath { return !left.noPath }
        if left.modelRank != right.modelRank { return left.modelRank < right.modelRank }
        if left.modelLength != right.modelLength { return left.modelLength > right.modelLength }
        if left.headers != right.headers { return left.headers > right.headers }
        let leftTime = a.rule.route.meta.creationTimestamp, rightTime = b.rule.route.meta.creationTimestamp
        if leftTime != rightTime, !leftTime.isEmpty, !rightTime.isEmpty { return leftTime < rightTime }
        if a.rule.route.meta.name != b.rule.route.meta.name { return a.rule.route.meta.name < b.rule.route.meta.name }
        if a.rule.index != b.rule.index { return a.rule.index < b.rule.index }
        return (a.matchIndex ?? -1) < (b.matchIndex ?? -1)
    }

    static func isCatchAll(_ match: LLMRoute.Match?) -> Bool {
        guard let match else { return true }
        return match.path == nil && match.model == nil && match.headers.isEmpty
    }

    private static func key(_ placement: RulePlacement) -> (noPath: Bool, modelRank: Int, modelLength: Int, headers: Int) {
        let match = placement.match
        let (rank, length): (Int, Int)
        switch match?.model {
        case .exact?: (rank, length) = (0, 0)
        case .prefix(let text)?: (rank, length) = (1, text.utf8.count)
        case .glob(let text)?: (rank, length) = (2, text.utf8.count)
        case .regex?: (rank, length) = (3, 0)
        case .oneOf?: (rank, length) = (0, 0)
        case nil: (rank, length) = (4, 0)
        }
        return (match?.path == nil, rank, length, match?.headers.count ?? 0)
    }
}
