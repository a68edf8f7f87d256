/// How one watch request ended. Never thrown: every ending is expected, and the informer
/// decides per case (rewatch, relist, back off, stop).
package enum WatchOutcome: Hashable, Sendable {
    /// The server ended the stream normally (`timeoutSeconds` passed): watch again from the
    /// last resourceVersion seen.
    case ended
    /// The start resourceVersion is too old (an `ERROR` event with code 410, or HTTP 410):
    /// list again.
    case gone(KubeError)
    /// An HTTP error, a lost connection, an undecodable stream or another `ERROR` event:
    /// back off, then watch again from the last resourceVersion seen.
    case failed(KubeError)
    /// The caller's task was cancelled.
    case cancelled
}
