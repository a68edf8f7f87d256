/// One cached answer: the bytes the provider sent (a JSON body or an event stream, in the form
/// that filled the entry), the usage it reported (the tokens a hit saves), and when it was stored.
///
/// Immutable; shared by every loop that serves it (the body is copied on write only).
package struct CachedAnswer: Sendable {
    /// The form of `body`.
    package enum Form: Hashable, Sendable {
        case json
        case eventStream
    }

    package let form: Form
    package let body: [UInt8]
    package let usage: TokenUsage
    package let storedAt: ProxyInstant

    /// What an entry costs the memory tier besides its body: its key, the fields above, the
    /// LRU links and the map slot, rounded up.
    package static let overheadBytes = 160

    package init(form: Form, body: [UInt8], usage: TokenUsage, storedAt: ProxyInstant) {
        self.form = form
        self.body = body
        self.usage = usage
        self.storedAt = storedAt
    }

    /// What the entry counts against the memory tier's byte bound.
    package var chargedBytes: Int { body.count + Self.overheadBytes }
}
