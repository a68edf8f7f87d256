@testable import ProxyCore

/// What a `SessionStateMachine` returned for one `SessionEvent`: an action, or for body
/// bytes a disposition.
enum SessionOutput: Hashable, CustomStringConvertible {
    case action(SessionAction)
    case body(BodyDisposition)

    /// Whether nothing follows from it (`.none`, or bytes dropped).
    var isNothing: Bool { self == .action(.none) || self == .body(.discard) }

    /// Whether it ends the request: the one place the data plane logs it.
    var isTerminal: Bool {
        switch self {
        case .action(.answerLocally), .action(.commit(_, finished: true)), .action(.fail), .action(.finishCommitted),
             .action(.abandon), .action(.logOnly):
            true
        default:
            false
        }
    }

    /// Whether it ends a request that went upstream with an answer: the attempt plan must know how.
    var endsThePlan: Bool {
        switch self {
        case .action(.commit(_, finished: true)), .action(.fail), .action(.finishCommitted): true
        default: false
        }
    }

    /// Whether it sends the head to the client.
    var isCommit: Bool {
        switch self {
        case .action(.commit), .body(.holdThenCommit): true
        default: false
        }
    }

    /// Whether it starts or redirects an attempt (never allowed once the head went out).
    var movesUpstream: Bool {
        switch self {
        case .action(.runPhases), .action(.resumePhases), .action(.admitAttempt), .action(.send), .action(.retry): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .action(let action): "\(action)"
        case .body(let disposition): "body \(disposition)"
        }
    }
}
