// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `SSEParser` and `SSEEncoder`. Checks, for any input:
// 1. feeding it whole, split at two data-derived points, or (when short) one byte at a
//    time gives the same items, the same error and the same end state, with a small
//    `maxEventBytes` so the limit path is exercised too;
// 2. re-encoding the parsed items and parsing that gives back the same items, completely.

/// Everything a parse run produced.
struct FuzzOutcome: Equatable {
    var items: [SSEItem] = []
    var error: SSEParserError? = nil
    var end: SSEParser.StreamEnd = .complete
}

/// Parses `input` cut at `cuts` (sorted offsets) with a fresh parser.
func parseFuzzInput(_ input: UnsafeRawBufferPointer, cuts: [Int], maxEventBytes: Int) -> FuzzOutcome {
    var parser = SSEParser(maxEventBytes: maxEventBytes)
    var outcome = FuzzOutcome()
    var start = 0
    for cut in cuts + [input.count] {
        do {
            try parser.feed(UnsafeRawBufferPointer(rebasing: input[start..<cut])) { outcome.items.append($0) }
        } catch {
            outcome.error = error
            break
        }
        start = cut
    }
    outcome.end = parser.finish()
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    // Derived from the input so the fuzzer can steer them.
    let seed = size > 0 ? Int(input[0]) &* 31 &+ Int(input[size - 1]) : 0
    let maxEventBytes = 4 + seed % 200
    let first = size > 0 ? seed % (size + 1) : 0
    let second = size > 0 ? first + (seed / 7) % (size - first + 1) : 0

    let whole = parseFuzzInput(input, cuts: [], maxEventBytes: maxEventBytes)
    let split = parseFuzzInput(input, cuts: [first, second], maxEventBytes: maxEventBytes)
    precondition(whole == split, "split at \(first), \(second) changed the items")
    if size <= 512 {
        let bytewise = parseFuzzInput(input, cuts: Array(0..<size), maxEventBytes: maxEventBytes)
        precondition(whole == bytewise, "one byte at a time changed the items")
    }

    // Round trip, with the default limit so every input this size parses completely.
    let parsed = parseFuzzInput(input, cuts: [], maxEventBytes: 1 << 20)
    precondition(parsed.error == nil, "default limit exceeded by a small input")
    var encoded: [UInt8] = []
    for item in parsed.items {
        switch item {
        case .event(let event): SSEEncoder.appendEvent(event, to: &encoded)
        case .comment(let text): SSEEncoder.appendComment(text, to: &encoded)
        }
    }
    let reparsed = encoded.withUnsafeBytes { parseFuzzInput($0, cuts: [], maxEventBytes: 1 << 20) }
    precondition(reparsed.items == parsed.items, "re-encoding changed the items")
    precondition(reparsed.error == nil && reparsed.end == .complete, "re-encoded stream incomplete")
    return 0
}
