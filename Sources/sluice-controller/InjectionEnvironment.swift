import GatewayController
import KubeAPI
import ProxyCore

/// The sidecar defaults the controller reads from its environment (docs/injection.md,
/// "The controller's injection settings"): `SLUICE_SIDECAR_IMAGE`,
/// `SLUICE_SIDECAR_IMAGE_PULL_POLICY`, `SLUICE_SIDECAR_RESOURCES` (JSON). The gateway's
/// ConfigMap and ports are filled in per pod.
enum InjectionEnvironment {
    struct Invalid: Error {
        var message: String
    }

    static func baseSettings(get: (String) -> String? = { Environment.get($0) }) throws(Invalid) -> InjectionSettings {
        var settings = InjectionSettings(configMapName: "")
        if let image = get("SLUICE_SIDECAR_IMAGE"), !image.isEmpty { settings.image = image }
        if let policy = get("SLUICE_SIDECAR_IMAGE_PULL_POLICY"), !policy.isEmpty {
            guard ["Always", "IfNotPresent", "Never"].contains(policy) else {
                throw Invalid(message: "SLUICE_SIDECAR_IMAGE_PULL_POLICY must be Always, IfNotPresent or Never, not \"\(policy)\"")
            }
            settings.imagePullPolicy = policy
        }
        if let text = get("SLUICE_SIDECAR_RESOURCES"), !text.isEmpty {
            let usage = #"SLUICE_SIDECAR_RESOURCES must be JSON like {"requests":{"cpu":"50m","memory":"32Mi"},"limits":{"cpu":"500m","memory":"128Mi"}}"#
            guard case .object(let resources)? = try? JSONParser.parse(Array(text.utf8)) else { throw Invalid(message: usage) }
            for key in resources.keys where key != "requests" && key != "limits" {
                throw Invalid(message: "\(usage); unknown field \"\(key)\"")
            }
            func quantity(_ group: String, _ name: String) throws(Invalid) -> String? {
                guard let value = resources[group] else { return nil }
                guard case .object(let members) = value else { throw Invalid(message: usage) }
                for key in members.keys where key != "cpu" && key != "memory" {
                    throw Invalid(message: "\(usage); unknown field \"\(group).\(key)\"")
                }
                switch members[name] {
                case nil: return nil
                case .string(let text)? where !text.isEmpty: return text
                case .number(let number)?: return number.literal
                default: throw Invalid(message: "\(usage); \(group).\(name) must be a quantity such as \"100m\"")
                }
            }
            settings.cpuRequest = try quantity("requests", "cpu") ?? settings.cpuRequest
            settings.memoryRequest = try quantity("requests", "memory") ?? settings.memoryRequest
            settings.cpuLimit = try quantity("limits", "cpu") ?? settings.cpuLimit
            settings.memoryLimit = try quantity("limits", "memory") ?? settings.memoryLimit
        }
        return settings
    }
}
