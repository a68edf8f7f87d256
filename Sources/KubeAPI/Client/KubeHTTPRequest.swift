/// One HTTP request to the API server, before authentication is added.
package struct KubeHTTPRequest: Sendable {
    package var method: String
    /// Path and query, e.g. `/api/v1/namespaces/default/configmaps?watch=1`.
    package var path: String
    package var body: [UInt8]?
    package var contentType: String?

    package init(method: String, path: String, body: [UInt8]? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.contentType = contentType
    }
}

/// A complete answer: status and the whole body.
package struct KubeHTTPResponse: Sendable {
    package var status: Int
    package var body: [UInt8]
}
