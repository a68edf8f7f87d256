/// What `ConcurrencyLimiter.acquire` decided for one request.
package enum ConcurrencyDecision: Hashable, Sendable {
    /// The request holds a slot: send it, and `release()` when it ends.
    case granted
    /// The request waits: it holds no slot yet. It gets one when a `release()` (on any loop)
    /// returns its ticket; set a timer for `deadline` and `cancel` it then. `displaced`: a
    /// lower-priority waiter this request pushed out of the full queue — it is no longer
    /// waiting, and must be told on its loop (`ticket.owner`) that it was shed.
    case queued(ConcurrencyTicket, position: Int, deadline: ProxyInstant, displaced: ConcurrencyTicket?)
    /// No slot and no room to wait: go to the next fallback, or answer 503.
    case rejected(LocalRejection)
}
