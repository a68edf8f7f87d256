#if canImport(ProxyCore)
import ProxyCore  // absent when the fuzz harness compiles this folder with ProxyCore/JSON in one module
#endif

// Small readers for Kubernetes objects held as `JSONValue`. Internal to KubeAPI so they never
// clash with other modules' helpers.
extension JSONValue {
    /// The member named `key` when this is an object.
    func member(_ key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The string, when this is a string.
    var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The members, when this is an object.
    var objectValue: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }
}
