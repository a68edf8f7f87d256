// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `RESPDecoder` and `RESPEncoder`, and the readers of what a Redis server
// sends (redirections, cluster topology replies). Checks, for any input:
// 1. feeding it whole, split at two data-derived points, or (when short) one byte at a time
//    gives the same values and the same error, with small data-derived limits so the limit
//    paths run too;
// 2. re-encoding the decoded values (RESP3) and decoding that gives the same values, and
//    the RESP2 rendering decodes completely;
// 3. the topology and redirection readers never trap on any decoded value.

/// Everything a decode run produced; values as their RESP3 encoding (NaN is not equal to
/// itself, its encoding is).
struct FuzzOutcome: Equatable {
    var encoded: [UInt8] = []
    var count = 0
    var error: RESPDecodingError? = nil
}

/// Decodes `input` cut at `cuts` (sorted offsets) with a fresh decoder.
func decodeFuzzInput(_ input: UnsafeRawBufferPointer, cuts: [Int], limits: RESPDecoderLimits, values: inout [RESPValue]) -> FuzzOutcome {
    var decoder = RESPDecoder(limits: limits)
    var outcome = FuzzOutcome()
    var start = 0
    feeding: for cut in cuts + [input.count] {
        decoder.feed(UnsafeRawBufferPointer(rebasing: input[start..<cut]))
        start = cut
        while true {
            do {
                guard let value = try decoder.next() else { break }
                RESPEncoder.append(value, version: .resp3, to: &outcome.encoded)
                outcome.count += 1
                values.append(value)
            } catch {
                outcome.error = error
                break feeding
            }
        }
    }
    return outcome
}

func decodeFuzzInput(_ input: UnsafeRawBufferPointer, cuts: [Int], limits: RESPDecoderLimits) -> FuzzOutcome {
    var values: [RESPValue] = []
    return decodeFuzzInput(input, cuts: cuts, limits: limits, values: &values)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    // Derived from the input so the fuzzer can steer them.
    let seed = size > 0 ? Int(input[0]) &* 31 &+ Int(input[size - 1]) : 0
    let limits = RESPDecoderLimits(maxBulkBytes: seed % 64, maxAggregateCount: 1 + seed % 9, maxDepth: 1 + seed % 5,
                                   maxLineBytes: 1 + seed % 40, maxReplyBytes: 8 + seed % 300)
    let first = size > 0 ? seed % (size + 1) : 0
    let second = size > 0 ? first + (seed / 7) % (size - first + 1) : 0

    let whole = decodeFuzzInput(input, cuts: [], limits: limits)
    let split = decodeFuzzInput(input, cuts: [first, second], limits: limits)
    precondition(whole == split, "split at \(first), \(second) changed the values")
    if size <= 512 {
        let bytewise = decodeFuzzInput(input, cuts: Array(0..<size), limits: limits)
        precondition(whole == bytewise, "one byte at a time changed the values")
    }

    // Round trip with the default limits.
    var values: [RESPValue] = []
    let parsed = decodeFuzzInput(input, cuts: [], limits: RESPDecoderLimits(), values: &values)
    let reparsed = parsed.encoded.withUnsafeBytes { decodeFuzzInput($0, cuts: [], limits: RESPDecoderLimits()) }
    precondition(reparsed.error == nil && reparsed.count == parsed.count, "re-encoded values do not decode")
    precondition(reparsed.encoded == parsed.encoded, "re-encoding changed the values")
    var resp2: [UInt8] = []
    for value in values { RESPEncoder.append(value, version: .resp2, to: &resp2) }
    let downgraded = resp2.withUnsafeBytes { decodeFuzzInput($0, cuts: [], limits: RESPDecoderLimits()) }
    precondition(downgraded.error == nil && downgraded.count == parsed.count, "the RESP2 rendering does not decode")

    // What the cluster client reads from replies must never trap.
    for value in values {
        _ = try? RedisClusterSlotMap.fromShards(value, askedHost: "h", tls: seed % 2 == 0)
        _ = try? RedisClusterSlotMap.fromSlots(value, askedHost: "h")
        if let message = value.errorMessage { _ = RedisRedirection(errorMessage: message) }
        if let bytes = value.bytes { _ = RedisKeySlot.slot(of: bytes) }
        _ = RedisWindowScript.decode(value)
    }
    return 0
}
