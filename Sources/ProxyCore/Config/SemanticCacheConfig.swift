/// A route's semantic cache tier (`routes[].cache.semantic`): after an exact miss, the
/// request's text is embedded through `backend`'s OpenAI-compatible `/v1/embeddings` and a
/// stored answer whose text is close enough (cosine similarity ≥ `threshold`) in the same
/// semantic scope is served. A route without it has only the exact tiers.
package struct SemanticCacheConfig: Hashable, Sendable {
    /// What is embedded; the rest of the request must be equal for a hit (`SemanticRequest`).
    package enum Embed: String, Hashable, Sendable, CaseIterable {
        /// The text of the last `user` message; everything else (system prompt, earlier turns,
        /// parameters) must be equal.
        case lastUserMessage
        /// The text of every `user` and `assistant` message; the system prompt and the
        /// parameters must be equal.
        case conversation
    }

    /// The name of a configured backend that serves OpenAI's `/v1/embeddings`.
    package let backend: String
    /// The embedding model asked for.
    package let model: String
    /// The least cosine similarity of a hit, in (0, 1]. Default 0.95.
    package let threshold: Double
    package let embed: Embed
    /// The most vectors the route's in-process index holds. Default 2,000.
    package let maxEntries: Int
    /// How long the embeddings call may take; past it the lookup is a miss. Default 500ms.
    package let timeout: ProxyDuration

    package static let defaultThreshold = 0.95
    package static let defaultMaxEntries = 2_000
    /// The largest `maxEntries` accepted (a scan of more vectors of one scope stalls the event loop: ADR on the semantic tier).
    package static let maxEntriesLimit = 20_000
    package static let defaultTimeout = ProxyDuration.milliseconds(500)
    /// The longest `timeout` accepted.
    package static let maxTimeout = ProxyDuration.seconds(30)

    /// Whether `similarity` makes a hit: at least `threshold`, within `Float` rounding (so
    /// identical texts reach a threshold of 1).
    package func admits(_ similarity: Float) -> Bool {
        Double(similarity) + 1e-6 >= threshold
    }

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(backend: String, model: String, threshold: Double = defaultThreshold, embed: Embed = .lastUserMessage,
                 maxEntries: Int = defaultMaxEntries, timeout: ProxyDuration = defaultTimeout) {
        self.backend = backend
        self.model = model
        self.threshold = threshold
        self.embed = embed
        self.maxEntries = maxEntries
        self.timeout = timeout
    }
}
