/// What the data plane must do after an attempt outcome (`UpstreamAttemptStateMachine.next`).
package enum UpstreamAttemptAction: Hashable, Sendable {
    /// Pass the response just reported through to the client, as it is. When its outcome was
    /// `.truncated`, add `x-sluice-truncated: true` (if the head is not sent yet).
    case deliver
    /// Discard the response, wait `after` (on a loop timer), then send the request to
    /// `target` again (the same backend and model as before).
    case retry(after: ProxyDuration, target: AttemptTarget)
    /// Discard the response and send the request to `target` now.
    case fallback(to: AttemptTarget, reason: FallbackReason)
    /// Answer with the sidecar's own error (or end a committed stream with an error event).
    case fail(AttemptFailure)
}
