import Testing
@testable import KubeAPI
import ProxyCore

/// Feeds `text` to a fresh decoder in the given pieces and collects what came out.
private func decode(_ pieces: [String], maxLineBytes: Int = 1 << 20) -> (events: [WatchEvent], error: WatchDecodeError?, leftover: Int) {
    var decoder = WatchEventDecoder(maxLineBytes: maxLineBytes)
    var events: [WatchEvent] = []
    for piece in pieces {
        if let error = feed(&decoder, piece, { events.append($0) }) { return (events, error, 0) }
    }
    return (events, nil, decoder.bufferedByteCount)
}

/// Feeds one piece; the error, if any. (A typed-throws closure passed to the rethrowing
/// `withUnsafeBytes` crashes Swift 6.3's IRGen, so errors come back as values.)
private func feed(_ decoder: inout WatchEventDecoder, _ piece: String, _ onEvent: (WatchEvent) -> Void) -> WatchDecodeError? {
    Array(piece.utf8).withUnsafeBytes { bytes in
        do throws(WatchDecodeError) {
            try decoder.feed(bytes, onEvent: onEvent)
            return nil
        } catch {
            return error
        }
    }
}

private let added = #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"#
private let bookmark = #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"9"}}}"#

@Suite struct WatchEventDecoderTests {
    @Test func decoderEmitsOneEventPerLineWithItsResourceVersion() {
        let result = decode([added + "\n" + bookmark + "\n"])
        #expect(result.error == nil)
        #expect(result.events.map(\.kind) == [.added, .bookmark])
        #expect(result.events.map(\.resourceVersion) == ["5", "9"])
        #expect(result.leftover == 0)
    }

    @Test func anEventSplitAcrossEveryPossibleBoundaryDecodesTheSame() {
        let stream = added + "\n" + bookmark + "\n"
        let whole = decode([stream]).events
        let bytes = Array(stream)
        for cut in 0...bytes.count {
            let split = decode([String(bytes[..<cut]), String(bytes[cut...])])
            #expect(split.events == whole, "cut at \(cut)")
        }
        #expect(decode(bytes.map { String($0) }).events == whole)
    }

    @Test func aLineWithoutItsNewlineWaitsAndIsReportedAsLeftover() {
        let result = decode([added])
        #expect(result.events.isEmpty)
        #expect(result.leftover == added.utf8.count)
    }

    @Test func carriageReturnsAndBlankLinesAreTolerated() {
        let result = decode([added + "\r\n\n  \r\n" + bookmark + "\n"])
        #expect(result.events.count == 2)
        #expect(result.error == nil)
    }

    @Test func aLineLongerThanTheLimitFailsEvenBeforeItsNewline() {
        let result = decode([String(repeating: "x", count: 40)], maxLineBytes: 32)
        #expect(result.error == .lineTooLong(limit: 32))
        let exact = decode([#"{"type":"ADDED","object":{}}"# + "\n"], maxLineBytes: 28)
        #expect(exact.events.count == 1)
    }

    @Test func errorsAreStickySoABrokenStreamIsNeverResumed() {
        var decoder = WatchEventDecoder()
        var count = 0
        let first = feed(&decoder, "nope\n") { _ in count += 1 }
        let second = feed(&decoder, added + "\n") { _ in count += 1 }
        #expect(first != nil)
        #expect(second == first)
        #expect(count == 0)
    }

    @Test func linesThatAreNotWatchEventsAreRejectedWithAReason() {
        #expect(decode(["[1]\n"]).error == .invalidEvent("not a JSON object"))
        #expect(decode([#"{"object":{}}"# + "\n"]).error == .invalidEvent("no string \"type\""))
        #expect(decode([#"{"type":"RENAMED","object":{}}"# + "\n"]).error == .invalidEvent("unknown type \"RENAMED\""))
        #expect(decode([#"{"type":"ADDED","object":3}"# + "\n"]).error == .invalidEvent("no \"object\" object"))
        if case .invalidJSON = decode(["{\"type\":\n"]).error {} else { Issue.record("expected invalidJSON") }
    }

    @Test func anErrorEventWithCode410IsGone() {
        let line = #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}"#
        let event = decode([line + "\n"]).events.first
        #expect(event?.isGone == true)
        #expect(event?.statusCode == 410)
    }
}
