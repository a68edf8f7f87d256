#if canImport(ProxyCore)
import ProxyCore  // absent when the fuzz harness compiles this folder with ProxyCore/JSON in one module
#endif

/// One event of a Kubernetes watch stream: `{"type": "ADDED", "object": {…}}`.
///
/// A value; safe to send anywhere. For `ERROR` the object is a `Status` (`code` 410 means
/// the resourceVersion the watch started from is too old: relist).
package struct WatchEvent: Hashable, Sendable {
    /// The event's `type` field.
    package enum Kind: String, Hashable, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    package var kind: Kind
    /// The object (for `DELETED`, its last state; for `BOOKMARK`, only `metadata.resourceVersion`).
    package var object: JSONValue

    package init(kind: Kind, object: JSONValue) {
        self.kind = kind
        self.object = object
    }

    /// `object.metadata.resourceVersion`, when present.
    package var resourceVersion: String? { object.member("metadata")?.member("resourceVersion")?.stringValue }

    /// The `code` of an `ERROR` event's `Status`, when present.
    package var statusCode: Int? {
        guard kind == .error, case .number(let number)? = object.member("code") else { return nil }
        return number.int
    }

    /// True for an `ERROR` event that says the start resourceVersion is gone (HTTP 410).
    package var isGone: Bool { statusCode == 410 }
}
