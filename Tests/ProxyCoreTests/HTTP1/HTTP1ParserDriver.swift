import Testing
@testable import ProxyCore

/// What a parser produced for one request: its head, its body bytes concatenated, its trailers.
struct ParsedRequest: Equatable {
    var head: HTTPRequestHead
    var body: [UInt8] = []
    var trailers = HTTPHeaders()
    var complete = false
}

/// Everything a parser produced for a byte stream, normalized so that different splittings of
/// the same bytes compare equal.
struct ParseOutcome: Equatable {
    var requests: [ParsedRequest] = []
    var error: HTTP1ParseError?
    /// Calls to `parse`, to check linearity claims.
    var calls = 0

    static func == (a: ParseOutcome, b: ParseOutcome) -> Bool {
        a.requests == b.requests && a.error == b.error
    }
}

/// Feeds bytes to a parser the way a connection handler does: keeps unconsumed bytes, appends
/// new ones, calls `parse` until it needs more data. Checks the step invariants on every call.
struct HTTP1ParserDriver {
    var parser: HTTP1RequestParser
    var pending: [UInt8] = []
    var start = 0
    var outcome = ParseOutcome()

    init(limits: HTTP1Limits = .default) {
        parser = HTTP1RequestParser(limits: limits)
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        if start > 4096 && start * 2 > pending.count {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: bytes)
        while outcome.error == nil {
            let step = pending[start...].withUnsafeBytes { parser.parse($0) }
            outcome.calls += 1
            let available = pending.count - start
            // Plain checks rather than #expect: this loop runs millions of times in debug builds.
            if step.consumed < 0 || step.consumed > available {
                Issue.record("consumed \(step.consumed) of \(available)")
            }
            switch step.event {
            case .needMoreData:
                start += step.consumed
                return
            case .head(let head):
                if !(outcome.requests.last?.complete ?? true) { Issue.record("head before the previous request ended") }
                outcome.requests.append(ParsedRequest(head: head))
            case .body(let range):
                if range.lowerBound < 0 || range.upperBound > step.consumed || range.isEmpty {
                    Issue.record("body range \(range) outside 0..<\(step.consumed)")
                }
                outcome.requests[outcome.requests.count - 1].body.append(contentsOf: pending[(start + range.lowerBound)..<(start + range.upperBound)])
            case .end(let trailers):
                outcome.requests[outcome.requests.count - 1].trailers = trailers
                outcome.requests[outcome.requests.count - 1].complete = true
            case .error(let error):
                outcome.error = error
            }
            start += step.consumed
        }
    }

    /// Parses `bytes` delivered in pieces cut at `splits` (sorted offsets).
    static func run(_ bytes: [UInt8], splits: [Int], limits: HTTP1Limits = .default) -> ParseOutcome {
        var driver = HTTP1ParserDriver(limits: limits)
        var cursor = 0
        for split in splits + [bytes.count] where split >= cursor {
            driver.feed(bytes[cursor..<split])
            cursor = split
        }
        return driver.outcome
    }

    /// Parses `bytes` whole, one byte at a time, and at random split points (fixed seeds), and
    /// expects the same outcome each time. Returns the outcome of the whole feed.
    static func runAllSplits(
        _ bytes: [UInt8], limits: HTTP1Limits = .default, byteByByte: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParseOutcome {
        let whole = run(bytes, splits: [], limits: limits)
        if byteByByte && bytes.count > 1 {
            let single = run(bytes, splits: Array(1..<bytes.count), limits: limits)
            #expect(single == whole, "fed one byte at a time", sourceLocation: sourceLocation)
        }
        for seed in [1, 2, 3, 42, 1234] as [UInt64] {
            var random = SplitMix64(seed: seed)
            let count = Int(random.next() % 24) + 1
            let splits = bytes.isEmpty ? [] : (0..<count).map { _ in Int(random.next() % UInt64(bytes.count)) }.sorted()
            let split = run(bytes, splits: splits, limits: limits)
            #expect(split == whole, "split at \(splits.prefix(24)) (seed \(seed))", sourceLocation: sourceLocation)
        }
        return whole
    }
}

/// The UTF-8 bytes of `text`; test requests are written as string literals.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
