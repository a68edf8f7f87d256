/// Matching a model name against a `ModelMatch` outside the route table (config time).
extension ModelMatch {
    /// Whether `match` accepts `model` (a regex that does not compile accepts nothing).
    package static func matches(_ match: ModelMatch, _ model: String) -> Bool {
        CompiledModelMatcher(match)?.matches(model) ?? false
    }
}
