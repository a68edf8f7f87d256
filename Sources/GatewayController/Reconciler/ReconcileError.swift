import KubeAPI

/// Why one reconcile did not finish, and whether doing it again later can help.
///
/// Transient failures (throttling, server trouble, no connection, a lost write race) are
/// retried with backoff. Permanent ones (RBAC, a refused object, a ConfigMap that belongs to
/// someone else) fail the same way until something changes: they become a condition and an
/// Event, and the key waits for the next change to the resources instead of looping.
package enum ReconcileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An API call failed.
    case api(KubeError)
    /// The ConfigMap a gateway renders to exists and is neither labelled as ours nor owned by
    /// the gateway: it is never overwritten.
    case configMapNotManaged(namespace: String, name: String)

    package var isTransient: Bool {
        switch self {
        case .api(let error): error.isTransient
        case .configMapNotManaged: false
        }
    }

    package var description: String {
        switch self {
        case .api(let error):
            error.description
        case .configMapNotManaged(let namespace, let name):
            "ConfigMap \(namespace)/\(name) exists but is not managed by sluice-controller; delete it or set spec.configMapName"
        }
    }

    /// The description and what happens next, as a condition message ends.
    package var withConsequence: String {
        description + (isTransient ? "; retrying with backoff" : "; not retried until the gateway or a resource it uses changes")
    }
}
