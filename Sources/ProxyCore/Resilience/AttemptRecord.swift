/// One step of the path a request took: where an attempt went, how it ended and what
/// followed. For the access log's attempt list and `x-sluice-attempts`.
package struct AttemptRecord: Hashable, Sendable, CustomStringConvertible {
    /// Where the attempt went (or would have gone, when rejected locally).
    package let target: AttemptTarget
    /// How it ended.
    package let outcome: AttemptOutcome
    /// What the plan did next.
    package let step: AttemptStep

    /// A record with exactly these fields.
    package init(target: AttemptTarget, outcome: AttemptOutcome, step: AttemptStep) {
        self.target = target
        self.outcome = outcome
        self.step = step
    }

    /// `deepseek/deepseek-r1 429 retry-after 2s: retry in 2s`.
    package var description: String {
        "\(target.backendName)/\(target.model ?? "-") \(outcome): \(step)"
    }
}
