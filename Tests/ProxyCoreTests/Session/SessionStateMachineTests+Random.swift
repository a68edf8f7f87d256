import Testing
@testable import ProxyCore

/// The invariants `SessionRun` checks, over random routes and random event sequences: events
/// that fit the state, events in any order, and the client leaving at any time.
extension SessionStateMachineTests {
    @Test func randomEventSequencesInAnyOrderKeepEveryInvariant() {
        var visited: Set<SessionState> = []
        var outputs: Set<SessionOutput> = []
        var broken = 0
        for seed in UInt64(0)..<10_000 {
            var generator = SessionEventGenerator(seed: seed, nonsense: 0.25, clientLeaves: 0.02)
            generator.play(60, extraAfterDone: 15)
            let run = generator.run
            if !run.violations.isEmpty || run.terminalActions.count > 1 {
                broken += 1
                if broken <= 5 { Issue.record("seed \(seed): \(run.violations)") }
            }
            visited.formUnion(generator.visited)
            outputs.formUnion(run.outputs)
        }
        #expect(broken == 0)
        // The sequences went everywhere: every state, every action and every disposition.
        #expect(Set(visited.map(SessionEventGenerator.stateName)) == [
            "receiving", "runningPhases", "phaseSuspended", "admittingAttempt", "waitingForSlot", "waitingToRetry", "awaitingHead",
            "holding wholeBody", "holding streamPrefix", "holding firstToken", "committed eventStream: true",
            "committed eventStream: false", "done",
        ])
        #expect(Set(outputs.map(Self.kind)) == [
            "none", "runPhases", "resumePhases", "answerLocally", "admitAttempt", "send", "retry", "fallback",
            "commit truncated: false finished: false", "commit truncated: false finished: true",
            "commit truncated: true finished: true", "fail 502", "fail 503", "fail 504", "finishCommitted", "abandon",
            "logOnly", "resumeUpstream", "armHoldDeadline", "body pass", "body hold", "body holdThenCommit", "body pauseWithoutConsuming",
            "body discard",
        ])
    }

    @Test func randomSequencesOfFittingEventsAlwaysEndWithExactlyOneTerminalAction() {
        var broken = 0
        for seed in UInt64(0)..<2_000 {
            var generator = SessionEventGenerator(seed: seed, nonsense: 0, clientLeaves: 0.01)
            generator.play(400, extraAfterDone: 10)
            let run = generator.run
            if !run.violations.isEmpty || run.terminalActions.count != 1 || run.machine.state != .done {
                broken += 1
                if broken <= 5 {
                    Issue.record("seed \(seed): \(run.terminalActions.count) terminal actions, \(run.machine.state), \(run.violations)")
                }
            }
        }
        #expect(broken == 0)
    }

    /// An output's kind, without the values it carries.
    static func kind(_ output: SessionOutput) -> String {
        switch output {
        case .action(.retry(_, _, _, _, .retry)): "retry"
        case .action(.retry(_, _, _, _, .fallback)): "fallback"
        case .action(.commit(let truncated, let finished)): "commit truncated: \(truncated) finished: \(finished)"
        case .action(.fail(let failure, _)): "fail \(failure.status)"
        case .action(let action): String("\(action)".prefix { $0 != "(" })
        case .body(let disposition): "body \(disposition)"
        }
    }
}
