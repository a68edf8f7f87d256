import Testing
@testable import ProxyCore

/// Drives attempt plans with instants built by hand (a manual clock) and fixed random numbers.
extension ResilienceTests {
    @Suite struct UpstreamAttemptStateMachineTests {
        static let start = ProxyInstant(nanoseconds: 5_000_000_000)
        static func at(_ milliseconds: UInt64) -> ProxyInstant { start.advanced(by: .milliseconds(milliseconds)) }

        static let primary = AttemptTarget(backendIndex: 0, backendName: "self-hosted", model: "deepseek-r1")
        static let distill = FallbackCandidate(backendIndex: 0, backendName: "self-hosted", model: "deepseek-r1-distill-qwen-32b", backendModels: [:])
        static let online = FallbackCandidate(backendIndex: 1, backendName: "dashscope", model: nil, backendModels: ["deepseek-r1": "qwen-max"])

        static func plan(chain: [FallbackCandidate] = [distill, online], triggers: FallbackTriggers = .default, attempts: Int = 1,
                         deadline: ProxyDuration = .seconds(60), maxAttempts: Int = 5,
                         honorRetryAfter: Bool = true) -> UpstreamAttemptStateMachine {
            let policy = AttemptPolicy(chain: chain, triggers: triggers, attemptsPerTarget: attempts,
                                       backoff: Backoff(base: .milliseconds(100), max: .seconds(2)), honorRetryAfter: honorRetryAfter,
                                       deadline: deadline, maxAttempts: maxAttempts)
            return UpstreamAttemptStateMachine(policy: policy, primary: primary, clientModel: "deepseek-r1", start: start)
        }

        static func everyoneAvailable(_ index: Int) -> Bool { true }

        @Test func a429WithRetryAfterWaitsThatLongThenSucceeds() {
            var plan = Self.plan(attempts: 3)
            var budget = RetryBudget(percent: 20)
            let action = plan.next(after: .status(429, retryAfter: .seconds(2)), at: Self.at(300), committed: false, random: .max,
                                   budget: &budget, isAvailable: Self.everyoneAvailable)
            // The backoff ceiling for the first retry is 100ms; the provider's 2s is longer and wins.
            #expect(action == .retry(after: .seconds(2), target: Self.primary))
            #expect(plan.next(after: .success, at: Self.at(2_500), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .deliver)
            #expect(plan.sentAttempts == 2)
            #expect(plan.isFinished)
            #expect(plan.records.map(\.step) == [.retried(after: .seconds(2)), .delivered])
            #expect(plan.pathDescription == "self-hosted/deepseek-r1 429 retry-after 2s: retry in 2s; self-hosted/deepseek-r1 success: delivered")
            #expect(budget.totals(at: Self.at(2_500)).retries == 1)
        }

        @Test func backoffIsUsedWhenRetryAfterIsShorter() {
            var plan = Self.plan(attempts: 3)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .status(503, retryAfter: nil), at: Self.at(10), committed: false, random: .max,
                              budget: &budget, isAvailable: Self.everyoneAvailable) == .retry(after: .milliseconds(100), target: Self.primary))
            // Second retry: ceiling 200ms; random .max gives the ceiling, longer than the 50ms asked for.
            #expect(plan.next(after: .status(429, retryAfter: .milliseconds(50)), at: Self.at(200), committed: false, random: .max,
                              budget: &budget, isAvailable: Self.everyoneAvailable) == .retry(after: .milliseconds(200), target: Self.primary))
            // Retries used up: on to the fallback chain.
            #expect(plan.next(after: .status(503, retryAfter: nil), at: Self.at(500), committed: false, random: 0,
                              budget: &budget, isAvailable: Self.everyoneAvailable)
                == .fallback(to: Self.distill.target(clientModel: "deepseek-r1"), reason: .triggered(.status(503, retryAfter: nil))))
        }

        @Test func aRetryAfterLongerThanTheRemainingDeadlineFallsBackAtOnce() {
            var plan = Self.plan(attempts: 3, deadline: .seconds(10))
            var budget = RetryBudget(percent: 20)
            let action = plan.next(after: .status(429, retryAfter: .seconds(30)), at: Self.at(1_000), committed: false, random: 0,
                                   budget: &budget, isAvailable: Self.everyoneAvailable)
            #expect(action == .fallback(to: Self.distill.target(clientModel: "deepseek-r1"),
                                        reason: .waitBeyondDeadline(wait: .seconds(30), remaining: .seconds(9))))
            #expect(budget.totals(at: Self.at(1_000)).retries == 0)
        }

        @Test func aRetryAfterLongerThanTheDeadlineWithoutFallbackDeliversTheResponse() {
            var plan = Self.plan(chain: [], attempts: 3, deadline: .seconds(10))
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .status(429, retryAfter: .seconds(30)), at: Self.at(0), committed: false, random: 0,
                              budget: &budget, isAvailable: Self.everyoneAvailable) == .deliver)
            #expect(plan.sentAttempts == 1)
        }

        @Test func a503FallsBackAndTheFallbackAnswers() {
            var plan = Self.plan()
            var budget = RetryBudget(percent: 20)
            let first = plan.next(after: .status(503, retryAfter: nil), at: Self.at(20), committed: false, random: 0,
                                  budget: &budget, isAvailable: Self.everyoneAvailable)
            #expect(first == .fallback(to: AttemptTarget(backendIndex: 0, backendName: "self-hosted", model: "deepseek-r1-distill-qwen-32b"),
                                       reason: .triggered(.status(503, retryAfter: nil))))
            let second = plan.next(after: .status(502, retryAfter: nil), at: Self.at(40), committed: false, random: 0,
                                   budget: &budget, isAvailable: Self.everyoneAvailable)
            // The online entry has no model of its own: its backend's map turns deepseek-r1 into qwen-max.
            #expect(second == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"),
                                        reason: .triggered(.status(502, retryAfter: nil))))
            #expect(plan.next(after: .success, at: Self.at(60), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .deliver)
            #expect(plan.current.backendName == "dashscope")
            #expect(plan.sentAttempts == 3)
        }

        @Test func aConnectFailureOnThePrimaryFallsBack() {
            var plan = Self.plan(chain: [Self.online])
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .connectFailure, at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable)
                == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"), reason: .triggered(.connectFailure)))
        }

        @Test func nothingIsRetriedAfterTheFirstByteReachedTheClient() {
            var plan = Self.plan(attempts: 3)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .brokenAfterFirstByte, at: Self.at(5), committed: true, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .fail(.committed(.brokenAfterFirstByte)))
            #expect(AttemptFailure.committed(.brokenAfterFirstByte).status == 502)
            var timedOut = Self.plan(attempts: 3)
            #expect(timedOut.next(after: .timeout(.idle), at: Self.at(5), committed: true, random: 0, budget: &budget,
                                  isAvailable: Self.everyoneAvailable) == .fail(.committed(.timeout(.idle))))
            var truncated = Self.plan(triggers: FallbackTriggers(statuses: [], connectFailure: true, timeout: true, truncation: true))
            #expect(truncated.next(after: .truncated, at: Self.at(5), committed: true, random: 0, budget: &budget,
                                   isAvailable: Self.everyoneAvailable) == .deliver)
        }

        @Test func aBrokenBodyBeforeCommittingIsRetriedLikeAConnectFailure() {
            var plan = Self.plan(attempts: 2)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .brokenAfterFirstByte, at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .retry(after: .zero, target: Self.primary))
        }

        @Test func maxAttemptsBoundsRetriesAndFallbacks() {
            var plan = Self.plan(attempts: 10, maxAttempts: 3)
            var budget = RetryBudget(percent: 100)
            var actions: [UpstreamAttemptAction] = []
            for step in 0..<3 {
                actions.append(plan.next(after: .status(500, retryAfter: nil), at: Self.at(UInt64(step) * 1000), committed: false,
                                         random: 0, budget: &budget, isAvailable: Self.everyoneAvailable))
            }
            #expect(actions == [.retry(after: .zero, target: Self.primary), .retry(after: .zero, target: Self.primary), .deliver])
            #expect(plan.sentAttempts == 3)

            var failing = Self.plan(attempts: 1, maxAttempts: 2)
            #expect(failing.next(after: .connectFailure, at: Self.at(0), committed: false, random: 0, budget: &budget,
                                 isAvailable: Self.everyoneAvailable) == .fallback(to: Self.distill.target(clientModel: "deepseek-r1"),
                                                                                   reason: .triggered(.connectFailure)))
            #expect(failing.next(after: .timeout(.firstByte), at: Self.at(10), committed: false, random: 0, budget: &budget,
                                 isAvailable: Self.everyoneAvailable) == .fail(.upstream(.timeout(.firstByte))))
            #expect(AttemptFailure.upstream(.timeout(.firstByte)).status == 504)
        }

        @Test func theDeadlineEndsThePlan() {
            var plan = Self.plan(attempts: 3, deadline: .seconds(2))
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .connectFailure, at: Self.at(2_000), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .fail(.deadlineExceeded))
            #expect(AttemptFailure.deadlineExceeded.status == 504)
            #expect(AttemptFailure.deadlineExceeded.code == "deadline_exceeded")
            // A response in hand is still better than a made-up error.
            var late = Self.plan(attempts: 3, deadline: .seconds(2))
            #expect(late.next(after: .status(503, retryAfter: nil), at: Self.at(5_000), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .deliver)
            // A backoff that would end past the deadline is not waited either.
            var tight = Self.plan(chain: [], attempts: 3, deadline: .milliseconds(1_050))
            #expect(tight.next(after: .connectFailure, at: Self.at(1_000), committed: false, random: .max, budget: &budget,
                               isAvailable: Self.everyoneAvailable) == .fail(.upstream(.connectFailure)))
            #expect(tight.remaining(at: Self.at(1_000)) == .milliseconds(50))
        }

        @Test func aStatusThatIsNotATriggerIsDeliveredAsItIs() {
            var plan = Self.plan(attempts: 3)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .status(400, retryAfter: nil), at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .deliver)
            #expect(plan.records == [AttemptRecord(target: Self.primary, outcome: .status(400, retryAfter: nil), step: .delivered)])
        }

        @Test func failuresThatAreNotTriggersFailAtOnce() {
            let triggers = FallbackTriggers(statuses: [.code(429)], connectFailure: false, timeout: false, truncation: false)
            var budget = RetryBudget(percent: 20)
            var plan = Self.plan(triggers: triggers, attempts: 3)
            #expect(plan.next(after: .connectFailure, at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .fail(.upstream(.connectFailure)))
            var timeout = Self.plan(triggers: triggers, attempts: 3)
            #expect(timeout.next(after: .timeout(.connect), at: Self.at(5), committed: false, random: 0, budget: &budget,
                                 isAvailable: Self.everyoneAvailable) == .fail(.upstream(.timeout(.connect))))
            var status = Self.plan(triggers: triggers, attempts: 3)
            #expect(status.next(after: .status(503, retryAfter: nil), at: Self.at(5), committed: false, random: 0, budget: &budget,
                                isAvailable: Self.everyoneAvailable) == .deliver)
        }

        @Test func ejectedFallbackBackendsAreSkippedAndRecorded() {
            var plan = Self.plan()
            var budget = RetryBudget(percent: 20)
            let action = plan.next(after: .status(503, retryAfter: nil), at: Self.at(5), committed: false, random: 0, budget: &budget,
                                   isAvailable: { $0 != 0 })
            #expect(action == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"),
                                        reason: .triggered(.status(503, retryAfter: nil))))
            #expect(plan.records.map(\.outcome) == [.rejected(.ejected), .status(503, retryAfter: nil)])
            #expect(plan.records.first?.target.model == "deepseek-r1-distill-qwen-32b")
        }

        @Test func anEjectedPrimaryIsNotRetried() {
            var plan = Self.plan(chain: [Self.online], attempts: 3)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .status(500, retryAfter: nil), at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: { $0 != 0 })
                == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"),
                             reason: .triggered(.status(500, retryAfter: nil))))
        }

        @Test func anExhaustedRetryBudgetFallsBackInsteadOfRetrying() {
            var budget = RetryBudget(percent: 0, minRetries: 1)
            var first = Self.plan(attempts: 3)
            #expect(first.next(after: .status(429, retryAfter: nil), at: Self.at(0), committed: false, random: 0, budget: &budget,
                               isAvailable: Self.everyoneAvailable) == .retry(after: .zero, target: Self.primary))
            var second = Self.plan(attempts: 3)
            #expect(second.next(after: .status(429, retryAfter: nil), at: Self.at(1), committed: false, random: 0, budget: &budget,
                                isAvailable: Self.everyoneAvailable)
                == .fallback(to: Self.distill.target(clientModel: "deepseek-r1"), reason: .retryBudgetExhausted))
        }

        @Test func truncationGoesToTheNextFallbackWithoutRetrying() {
            let triggers = FallbackTriggers(statuses: [.statusClass(5)], connectFailure: true, timeout: true, truncation: true)
            var budget = RetryBudget(percent: 20)
            var plan = Self.plan(chain: [Self.online], triggers: triggers, attempts: 3)
            #expect(plan.next(after: .truncated, at: Self.at(5), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable)
                == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"), reason: .triggered(.truncated)))
            // Truncated again with nothing left: deliver it (the data plane adds x-sluice-truncated).
            #expect(plan.next(after: .truncated, at: Self.at(9), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable) == .deliver)
            // Without the trigger, a truncated answer is delivered at once.
            var untriggered = Self.plan(attempts: 3)
            #expect(untriggered.next(after: .truncated, at: Self.at(5), committed: false, random: 0, budget: &budget,
                                     isAvailable: Self.everyoneAvailable) == .deliver)
        }

        @Test func localRejectionsFallBackAndEndInOverloaded() {
            var plan = Self.plan(chain: [Self.online], attempts: 3)
            var budget = RetryBudget(percent: 20)
            #expect(plan.next(after: .rejected(.queueFull), at: Self.at(0), committed: false, random: 0, budget: &budget,
                              isAvailable: Self.everyoneAvailable)
                == .fallback(to: AttemptTarget(backendIndex: 1, backendName: "dashscope", model: "qwen-max"),
                             reason: .triggered(.rejected(.queueFull))))
            let last = plan.next(after: .rejected(.queueTimeout), at: Self.at(800), committed: false, random: 0, budget: &budget,
                                 isAvailable: Self.everyoneAvailable)
            #expect(last == .fail(.overloaded(retryAfter: .seconds(1))))
            #expect(AttemptFailure.overloaded(retryAfter: .seconds(1)).status == 503)
            #expect(plan.sentAttempts == 0)
        }

        @Test func policiesResolveFromTheConfig() throws {
            let config = try decodeValidConfig(configText(
                extra: #""defaults": {"retry": {"attempts": 2}, "maxAttempts": 4}"#,
                routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": [{"backend": "deepseek", "model": "deepseek-chat"}, {"backend": "openai", "model": "gpt-4o-mini"}], "on": {"statuses": [429]}}, "deadline": "30s"}"#))
            let policies = try AttemptPolicy.table(for: config)
            let policy = policies[0]
            #expect(policy.chain.map(\.backendIndex) == [1, 0])
            #expect(policy.chain[0].target(clientModel: "gpt-4o") == AttemptTarget(backendIndex: 1, backendName: "deepseek", model: "deepseek-chat"))
            #expect(policy.triggers.statuses == [.code(429)])
            #expect(policy.attemptsPerTarget == 2)
            #expect(policy.maxAttempts == 4)
            #expect(policy.deadline == .seconds(30))
            #expect(policy.backoff == Backoff(base: .milliseconds(100), max: .seconds(2)))
            let broken = ProxyConfig(backends: config.backends, routes: [RouteConfig(name: "x", split: config.routes[0].split,
                                                                                      fallback: FallbackConfig(chain: [FallbackEntryConfig(backend: "ghost")]))])
            #expect(throws: ProxyConfigError.self) { try AttemptPolicy.table(for: broken) }
        }
    }
}
