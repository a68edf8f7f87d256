import ProxyCore

/// A completion that runs once: with the first outcome `complete` is given, or with the
/// `timedOut` outcome when `timeout` passes first (the timer is then off; later outcomes are
/// dropped). What bounds a request's wait on Redis, whatever Redis does.
///
/// Loop-confined: created, completed and timed out on one loop. The pending timer holds it
/// until it completes.
final class DeadlineCompletion<Outcome> {
    private var completion: ((Outcome) -> Void)?
    private var timer: (any SessionTimer)?

    init(timeout: ProxyDuration, scheduler: any SessionScheduler, timedOut: Outcome, _ completion: @escaping (Outcome) -> Void) {
        self.completion = completion
        timer = scheduler.schedule(at: scheduler.now().advanced(by: timeout)) { [self] in complete(timedOut) }
    }

    /// Whether the completion has not run yet.
    var isPending: Bool { completion != nil }

    /// Runs the completion with `outcome`, unless it already ran.
    func complete(_ outcome: Outcome) {
        guard let completion else { return }
        self.completion = nil
        timer?.cancel()
        timer = nil
        completion(outcome)
    }
}
