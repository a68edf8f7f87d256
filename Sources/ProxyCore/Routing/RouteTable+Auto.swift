/// `auto` models: which one a routed request names.
extension RouteTable {
    /// The `auto` model of the decision's route that `model` names, or nil (the split decides).
    /// A few string comparisons, only on routes that declare `auto` models.
    package func autoModel(for decision: RouteDecision, model: String?) -> CompiledAutoModel? {
        guard hasAutoModels, let model else { return nil }
        return routes[decision.routeIndex].auto.first { $0.name == model }
    }
}
