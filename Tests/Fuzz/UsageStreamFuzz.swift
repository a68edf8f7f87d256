// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `UsageStreamFilter` (and through it `UsageExtractor`'s collector).
// Checks, for any input, in both modes (reading only, and stripping):
// 1. feeding it whole, split at two data-derived points, or (when short) one byte at a
//    time gives the same output bytes and the same usage, with a small data-derived
//    `maxEventBytes` so the pass-through of oversized events is exercised too;
// 2. when only reading, the output is the input, byte for byte;
// 3. when stripping, the output is never longer than the input, and an input without
//    the bytes `usage` (escaped or not, so without `usage` and `\u`) comes out unchanged.

/// What one run of the filter produced.
struct UsageFuzzOutcome: Equatable {
    var output: [UInt8] = []
    var usage: StreamUsage
}

/// Feeds `input` cut at `cuts` (sorted offsets) to a fresh filter.
func filterFuzzInput(_ input: UnsafeRawBufferPointer, cuts: [Int], stripsUsage: Bool, maxEventBytes: Int) -> UsageFuzzOutcome {
    var filter = UsageStreamFilter(stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
    var output: [UInt8] = []
    var start = 0
    for cut in cuts + [input.count] {
        filter.feed(UnsafeRawBufferPointer(rebasing: input[start..<cut])) { output.append(contentsOf: $0) }
        start = cut
    }
    let usage = filter.finish { output.append(contentsOf: $0) }
    return UsageFuzzOutcome(output: output, usage: usage)
}

func containsSubsequence(_ haystack: UnsafeRawBufferPointer, _ needle: String) -> Bool {
    let needle = Array(needle.utf8)
    guard haystack.count >= needle.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if (0..<needle.count).allSatisfy({ haystack[start + $0] == needle[$0] }) { return true }
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    // Derived from the input so the fuzzer can steer them.
    let seed = size > 0 ? Int(input[0]) &* 31 &+ Int(input[size - 1]) : 0
    let maxEventBytes = seed % 3 == 0 ? 1 << 20 : 8 + seed % 300
    let first = size > 0 ? seed % (size + 1) : 0
    let second = size > 0 ? first + (seed / 7) % (size - first + 1) : 0
    let mentionsUsage = containsSubsequence(input, "usage") || containsSubsequence(input, "\\u")

    for stripsUsage in [false, true] {
        let whole = filterFuzzInput(input, cuts: [], stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
        let split = filterFuzzInput(input, cuts: [first, second], stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
        precondition(whole == split, "split at \(first), \(second) changed the outcome (stripping: \(stripsUsage))")
        if size <= 512 {
            let bytewise = filterFuzzInput(input, cuts: Array(0..<size), stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
            precondition(whole == bytewise, "one byte at a time changed the outcome (stripping: \(stripsUsage))")
        }
        if !stripsUsage {
            precondition(whole.output.elementsEqual(input), "reading changed the stream")
        } else {
            precondition(whole.output.count <= size, "stripping made the stream longer")
            if !mentionsUsage { precondition(whole.output.elementsEqual(input), "stripping changed a stream without usage") }
        }
        if !mentionsUsage { precondition(!whole.usage.reported, "usage reported from a stream without usage") }
    }
    return 0
}
