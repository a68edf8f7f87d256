import ProxyCore

/// The behaviours loaded from `--models FILE`: `{"models": {"name": {behaviour…}, "*": {…}}}`,
/// values as strings, numbers or booleans (`{"ttft": "200ms", "status": 429}`).
struct MockModels: Sendable {
    var byName: [String: MockBehavior] = [:]
    var fallback = MockBehavior()
    /// Names in file order, for `GET /v1/models`.
    var names: [String] = []

    init() {}

    /// Reads the file's JSON; throws a message naming the JSON path of the first problem.
    init(json bytes: [UInt8]) throws(MockModelsError) {
        let document: JSONValue
        do {
            document = try bytes.withUnsafeBytes { buffer throws(JSONParseError) in try JSONParser.parse(buffer) }
        } catch {
            throw MockModelsError(message: "invalid JSON: \(error)")
        }
        guard case .object(let root) = document, case .object(let models)? = root["models"] else {
            throw MockModelsError(message: "expected an object with a \"models\" object")
        }
        for (name, value) in models.members {
            guard case .object(let settings) = value else {
                throw MockModelsError(message: "models.\(name): expected an object")
            }
            var behavior = MockBehavior()
            for (key, setting) in settings.members {
                let text: String
                switch setting {
                case .string(let s): text = s
                case .number(let n): text = n.literal
                case .bool(let b): text = b ? "true" : "false"
                default: throw MockModelsError(message: "models.\(name).\(key): expected a string, number or boolean")
                }
                if let problem = behavior.apply(key, text) {
                    throw MockModelsError(message: "models.\(name).\(key): \(problem)")
                }
            }
            if name == "*" { fallback = behavior } else { byName[name] = behavior; names.append(name) }
        }
    }

    func behavior(for model: String) -> MockBehavior { byName[model] ?? fallback }
}

struct MockModelsError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
