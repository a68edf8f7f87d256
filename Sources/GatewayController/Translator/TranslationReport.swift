import ProxyCore

/// A translation as one JSON document, the way golden files hold it: the ConfigMaps (with
/// `config.json` also shown parsed, for readable diffs), the status of every resource, and
/// every problem and warning. Canonical output: same input, same bytes.
package enum TranslationReport {
    package static func json(_ translation: Translation) -> JSONValue {
        var configMaps: [JSONValue] = []
        for rendered in translation.gateways {
            guard let configMap = ConfigMapBuilder.configMap(rendered), let text = rendered.configJSON,
                  let parsed = try? JSONParser.parse(text)
            else { continue }
            configMaps.append(.obj([("configMap", configMap), ("config.json parsed", parsed)]))
        }
        let statuses: [JSONValue] = translation.statuses.map { status in
            var members: [(String, JSONValue)] = [
                ("kind", .str(status.id.kind.kind)), ("namespace", .str(status.id.namespace)), ("name", .str(status.id.name)),
                ("observedGeneration", .num(status.generation)),
                ("conditions", .array(status.conditions.map { condition in
                    .obj([("type", .str(condition.type)), ("status", .str(condition.statusText)), ("reason", .str(condition.reason)),
                          ("message", .str(condition.message))])
                })),
            ]
            members += status.fields.map { ($0.key, $0.value) }
            return .obj(members)
        }
        return .obj([
            ("configMaps", .array(configMaps)),
            ("status", .array(statuses)),
            ("problems", .array((translation.unnamedProblems + translation.problems.map(\.description)).map(JSONValue.str))),
            ("warnings", .array(translation.warnings.map { .str($0.description) })),
        ])
    }

    /// `json(translation)` as canonical, pretty bytes with a final newline.
    package static func text(_ translation: Translation) -> String {
        JSONWriter.write(json(translation), options: [.pretty, .canonical]).utf8String + "\n"
    }
}
