/// A request waiting in a `ConcurrencyLimiter` queue: its id and the event loop it waits on,
/// so a slot released on another loop can be handed to it (`loop.execute { }`).
package struct ConcurrencyTicket: Hashable, Sendable {
    /// Unique per limiter.
    package let id: UInt64
    /// The index of the event loop the waiting request belongs to.
    package let owner: Int

    /// A ticket with exactly these fields.
    package init(id: UInt64, owner: Int) {
        self.id = id
        self.owner = owner
    }
}
