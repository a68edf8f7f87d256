/// The models the config can serve, for `GET /v1/models` and `GET /v1/models/{id}`, answered
/// by the sidecar from its config instead of by whichever backend a catch-all route picks.
///
/// A model is listed when a route can serve it by name: the names of `exact` and `models`
/// matches, and every key of the model maps of the backends a route sends to (its split and
/// its fallback chain) that the route's model condition accepts. Patterns (`prefix`, `glob`,
/// `regex`) are not names and are not listed; a route without a model condition adds its
/// backends' model-map keys. Header and path conditions are not considered. Built once per
/// snapshot; pure.
package struct ModelCatalog: Sendable {
    /// Sorted, without duplicates.
    package let models: [String]
    private let known: Set<String>

    package init(config: ProxyConfig, table: RouteTable) {
        var names = Set<String>()
        for (index, route) in table.routes.enumerated() {
            switch config.routes[index].match?.model {
            case .exact(let model)?: names.insert(model)
            case .oneOf(let models)?: names.formUnion(models)
            default: break
            }
            var backends = route.entries.map(\.backendIndex)
            for entry in config.routes[index].fallback?.chain ?? [] {
                if let backend = config.backendIndex(named: entry.backend) { backends.append(backend) }
            }
            for backend in backends {
                for name in config.backends[backend].models.keys where route.model?.matches(name) ?? true { names.insert(name) }
            }
        }
        known = names
        models = names.sorted()
    }

    package func contains(_ model: String) -> Bool { known.contains(model) }

    /// The shape of the answer: OpenAI's list, or Anthropic's for its SDK (which sends
    /// `anthropic-version`).
    package enum Shape: Hashable, Sendable {
        case openAI
        case anthropic
    }

    /// `GET /v1/models`: the models `allowed` accepts (the consumer's rights), in `shape`. OpenAI's
    /// list is whole; Anthropic's is the `page` asked for, with `has_more` true when there are
    /// more models in the page's direction (its SDK then asks for the next page). Throws for a
    /// cursor that names no listed model.
    package func list(_ shape: Shape, page: ModelPageRequest = ModelPageRequest(),
                      allowed: (String) -> Bool) throws(ModelPageError) -> [UInt8] {
        let visible = models.filter(allowed)
        switch shape {
        case .openAI:
            return JSONWriter.write(.members([("object", .string("list")), ("data", .array(visible.map { Self.entry($0, shape) }))]))
        case .anthropic:
            let range: Range<Int>
            let hasMore: Bool
            switch page.cursor {
            case nil:
                range = 0..<min(page.limit, visible.count)
                hasMore = range.upperBound < visible.count
            case .after(let id):
                guard let index = visible.firstIndex(of: id) else { throw Self.unknownCursor("after_id", id) }
                range = (index + 1)..<min(index + 1 + page.limit, visible.count)
                hasMore = range.upperBound < visible.count
            case .before(let id):
                guard let index = visible.firstIndex(of: id) else { throw Self.unknownCursor("before_id", id) }
                range = max(0, index - page.limit)..<index
                hasMore = range.lowerBound > 0
            }
            let listed = visible[range]
            return JSONWriter.write(.members([
                ("data", .array(listed.map { Self.entry($0, shape) })),
                ("has_more", .bool(hasMore)),
                ("first_id", listed.first.map(JSONValue.string) ?? .null),
                ("last_id", listed.last.map(JSONValue.string) ?? .null),
            ]))
        }
    }

    private static func unknownCursor(_ parameter: String, _ id: String) -> ModelPageError {
        ModelPageError("\(parameter) \"\(id.prefix(256))\" names no model in the list")
    }

    /// `GET /v1/models/{id}`: one model in `shape`.
    package static func entry(_ model: String, _ shape: Shape) -> JSONValue {
        switch shape {
        case .openAI:
            .members([("id", .string(model)), ("object", .string("model")), ("created", .number(JSONNumber(0))),
                      ("owned_by", .string("sluice"))])
        case .anthropic:
            .members([("type", .string("model")), ("id", .string(model)), ("display_name", .string(model)),
                      ("created_at", .string("1970-01-01T00:00:00Z"))])
        }
    }
}
