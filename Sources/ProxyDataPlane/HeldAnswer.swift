import ProxyCore

/// A 2xx answer the session holds back from the client while its attempt may still be replaced
/// (`HoldReason`: a truncation check, a first token not yet seen, a moderation verdict).
///
/// A value inside its session; loop-confined with it.
struct HeldAnswer {
    /// The provider's head, once it arrived; nil while nothing is held.
    var head: HTTPHeaders?
    /// Whether the answer is an SSE stream (else a JSON body).
    var eventStream = false
    /// The answer's bytes so far.
    var bytes: [UInt8] = []
    /// A whole JSON body's usage and truncation verdict, read in one pass when it ended.
    var facts: CompletionBodyFacts?
    /// Bytes of the process's buffer budget the held bytes are counted against.
    var reserved = 0
}
