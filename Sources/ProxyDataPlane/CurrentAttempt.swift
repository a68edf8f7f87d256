import ProxyCore

/// What the session's current attempt decided when it started (`send(to:)`) and found as its
/// answer arrived; each field is set again by the next attempt.
///
/// A value inside its session; loop-confined with it.
struct CurrentAttempt {
    /// When the attempt started: the backend's and the registry entry's time to first token are
    /// measured from here (the request's own from the request's start).
    var startedAt = ProxyInstant(nanoseconds: 0)
    /// Looks for the answer's first data event (a stream's first `data:`, a body's first byte).
    var firstTokenDetector = FirstTokenDetector(eventStream: false)
    /// The rewritten body's bytes counted in the buffer budget until the attempt ends.
    var charged = 0
    /// The translation to the backend's API (nil: the body passes through).
    var translation: AttemptTranslation?
    /// The client's `stream_options.include_usage`, as the request translator read it.
    var translatedIncludeUsage = false
    /// The answer side of a translated attempt (or a pass-through error's normaliser), from
    /// the response head on.
    var answerTranslator: AnswerTranslator?
    /// The backend key the attempt uses (an index into its backend's keys).
    var key = 0
}
