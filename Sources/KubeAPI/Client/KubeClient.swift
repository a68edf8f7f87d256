import ProxyCore

/// A small Kubernetes REST client on `JSONValue` objects: get, list, create, update (with
/// optimistic concurrency), merge patch, delete, the status subresource, and watch
/// (`KubeClient+Watch.swift`).
///
/// Safe from any task. Every call runs its transfer on its own thread, so none blocks the
/// cooperative pool. Non-2xx answers throw `KubeError` with the HTTP status and the API's
/// `Status` reason and message; `.conflict` means the object changed since it was read.
package final class KubeClient: Sendable {
    package let transport: CurlTransport

    package init(config: KubeConfig, requestTimeoutMilliseconds: Int = 30_000) {
        transport = CurlTransport(config: config, requestTimeoutMilliseconds: requestTimeoutMilliseconds)
    }

    /// The namespace of the configuration (kubeconfig context or service account).
    package var defaultNamespace: String { transport.config.namespace }

    /// `GET` one object.
    package func get(_ resource: KubeResource, namespace: String?, name: String) async throws(KubeError) -> JSONValue {
        try await call("GET", resource.path(namespace: namespace, name: name))
    }

    /// Lists a collection (`namespace` nil: across all namespaces); `labelSelector` as in
    /// kubectl (`app=x,tier!=y`).
    package func list(_ resource: KubeResource, namespace: String?, labelSelector: String? = nil) async throws(KubeError) -> KubeList {
        var path = resource.path(namespace: namespace)
        if let labelSelector { path += "?labelSelector=" + PercentEncoding.queryValue(labelSelector) }
        return try await list(path: path)
    }

    /// Lists any collection path, e.g. `/apis/sluice.dev/v1alpha1/llmroutes`.
    package func list(path: String) async throws(KubeError) -> KubeList {
        let answer = try await call("GET", path)
        guard case .array(let items)? = answer.member("items"),
              let resourceVersion = answer.member("metadata")?.member("resourceVersion")?.stringValue
        else { throw KubeError(kind: .decoding, status: 200, message: "GET \(path): not a list with metadata.resourceVersion") }
        return KubeList(items: items, resourceVersion: resourceVersion)
    }

    /// `POST` a new object; `.alreadyExists` when the name is taken.
    package func create(_ resource: KubeResource, namespace: String?, _ object: JSONValue) async throws(KubeError) -> JSONValue {
        try await call("POST", resource.path(namespace: namespace), body: object)
    }

    /// `PUT` the whole object (named by its `metadata.name`). With `metadata.resourceVersion`
    /// set, the API refuses with `.conflict` if the object changed since: re-read and retry.
    package func update(_ resource: KubeResource, namespace: String?, _ object: JSONValue) async throws(KubeError) -> JSONValue {
        try await call("PUT", resource.path(namespace: namespace, name: try Self.name(of: object)), body: object)
    }

    /// `PUT` to the `/status` subresource: only `status` changes, and `generation` does not.
    package func updateStatus(_ resource: KubeResource, namespace: String?, _ object: JSONValue) async throws(KubeError) -> JSONValue {
        try await call("PUT", resource.path(namespace: namespace, name: try Self.name(of: object), subresource: "status"), body: object)
    }

    /// JSON merge patch (RFC 7386, `application/merge-patch+json`): members set to `null`
    /// are removed. `subresource: "status"` patches the status.
    package func patch(_ resource: KubeResource, namespace: String?, name: String, mergePatch: JSONValue,
                       subresource: String? = nil) async throws(KubeError) -> JSONValue {
        try await call("PATCH", resource.path(namespace: namespace, name: name, subresource: subresource), body: mergePatch,
                       contentType: "application/merge-patch+json")
    }

    /// `DELETE` an object, optionally only if it still has `resourceVersion` (else `.conflict`).
    package func delete(_ resource: KubeResource, namespace: String?, name: String, resourceVersion: String? = nil) async throws(KubeError) {
        var body: JSONValue?
        if let resourceVersion {
            var preconditions = JSONObject()
            preconditions["resourceVersion"] = .string(resourceVersion)
            var options = JSONObject()
            options["kind"] = .string("DeleteOptions")
            options["apiVersion"] = .string("v1")
            options["preconditions"] = .object(preconditions)
            body = .object(options)
        }
        _ = try await call("DELETE", resource.path(namespace: namespace, name: name), body: body)
    }

    /// Any call: sends `body` as JSON, returns the 2xx answer parsed, throws otherwise.
    package func call(_ method: String, _ path: String, body: JSONValue? = nil,
                      contentType: String = "application/json") async throws(KubeError) -> JSONValue {
        let request = KubeHTTPRequest(method: method, path: path, body: body.map { JSONWriter.write($0) },
                                      contentType: body == nil ? nil : contentType)
        let response = try await transport.perform(request)
        guard (200..<300).contains(response.status) else { throw KubeError(status: response.status, body: response.body) }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw KubeError(kind: .decoding, status: response.status, message: "\(method) \(path): answer is not JSON: \(error)")
        }
    }

    private static func name(of object: JSONValue) throws(KubeError) -> String {
        guard let name = object.member("metadata")?.member("name")?.stringValue, !name.isEmpty else {
            throw KubeError(kind: .invalid, status: 0, message: "object has no metadata.name")
        }
        return name
    }
}
