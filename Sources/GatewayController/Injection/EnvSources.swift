import ProxyCore

/// The keys of the ConfigMaps and Secrets of a pod's namespace that the injector can see, to
/// tell whether a container's `envFrom` sets a variable the injector would add (Kubernetes lets
/// an `env` entry win over `envFrom`, so adding one would hide the app's own value).
/// `sluice-controller inject` sees those of its input; the webhook sees none.
package struct EnvSources: Sendable, Equatable {
    /// ConfigMap name → its keys (`data` and `binaryData`).
    package var configMaps: [String: Set<String>] = [:]
    /// Secret name → its keys (`data` and `stringData`).
    package var secrets: [String: Set<String>] = [:]

    package static let none = EnvSources()

    package init(configMaps: [String: Set<String>] = [:], secrets: [String: Set<String>] = [:]) {
        self.configMaps = configMaps
        self.secrets = secrets
    }

    /// The ConfigMaps and Secrets among `objects` that are in `namespace` (objects that name
    /// none are in `defaultNamespace`).
    package static func visible(in objects: [JSONValue], namespace: String, defaultNamespace: String) -> EnvSources {
        var sources = EnvSources()
        for object in objects where object.value(at: ["apiVersion"])?.string == "v1" {
            guard let name = object.value(at: ["metadata", "name"])?.string,
                  (object.value(at: ["metadata", "namespace"])?.string ?? defaultNamespace) == namespace else { continue }
            func keys(_ fields: String...) -> Set<String> {
                Set(fields.flatMap { object.value(at: [$0])?.object?.keys ?? [] })
            }
            switch object.value(at: ["kind"])?.string {
            case "ConfigMap": sources.configMaps[name, default: []].formUnion(keys("data", "binaryData"))
            case "Secret": sources.secrets[name, default: []].formUnion(keys("data", "stringData"))
            default: break
            }
        }
        return sources
    }

    /// Whether a container's `envFrom` list sets a variable.
    package enum Setting: Equatable, Sendable {
        case unset
        case set
        /// No source the injector sees sets it, but this one (`ConfigMap "x"`) is not visible.
        case maybe(by: String)
    }

    package func setting(of variable: String, envFrom: [JSONValue]) -> Setting {
        var unseen: String?
        for source in envFrom {
            // `prefix` is prepended to every key of the source (Kubernetes' EnvFromSource).
            let prefix = source.value(at: ["prefix"])?.string ?? ""
            guard variable.hasPrefix(prefix) else { continue }
            let key = String(variable.dropFirst(prefix.count))
            let reference: (kind: String, name: String, keys: Set<String>?)
            if let name = source.value(at: ["configMapRef", "name"])?.string {
                reference = ("ConfigMap", name, configMaps[name])
            } else if let name = source.value(at: ["secretRef", "name"])?.string {
                reference = ("Secret", name, secrets[name])
            } else {
                continue
            }
            guard let keys = reference.keys else {
                unseen = unseen ?? "\(reference.kind) \(SpecDecoding.quoted(reference.name))"
                continue
            }
            if keys.contains(key) { return .set }
        }
        return unseen.map { .maybe(by: $0) } ?? .unset
    }
}
