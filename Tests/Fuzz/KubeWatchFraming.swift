// fuzz-sources: Sources/ProxyCore/JSON Sources/KubeAPI/Watch
// libFuzzer target for `WatchEventDecoder` (Kubernetes watch framing). Built by
// `scripts/fuzz.sh KubeWatchFraming` in one module with the JSON and Watch sources, so no import.
//
// Properties checked on every input:
// 1. feeding it whole, split at two data-derived points, or (when short) one byte at a time
//    gives the same events, the same error and the same leftover, with a small data-derived
//    `maxLineBytes` so the limit path is exercised too;
// 2. the decoded events, written back as JSON lines, decode to the same events.

/// Everything a decode run produced.
struct WatchFuzzOutcome: Equatable {
    var events: [WatchEvent] = []
    var error: WatchDecodeError? = nil
    var leftover = 0
}

/// Decodes `input` cut at `cuts` (sorted offsets) with a fresh decoder.
func decodeWatchInput(_ input: UnsafeRawBufferPointer, cuts: [Int], maxLineBytes: Int) -> WatchFuzzOutcome {
    var decoder = WatchEventDecoder(maxLineBytes: maxLineBytes)
    var outcome = WatchFuzzOutcome()
    var start = 0
    for cut in cuts + [input.count] {
        do {
            try decoder.feed(UnsafeRawBufferPointer(rebasing: input[start..<cut])) { outcome.events.append($0) }
        } catch {
            outcome.error = error
            break
        }
        start = cut
    }
    outcome.leftover = outcome.error == nil ? decoder.bufferedByteCount : 0
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = size > 0 ? Int(input[0]) &* 31 &+ Int(input[size - 1]) : 0
    let maxLineBytes = 8 + seed % 300
    let first = size > 0 ? seed % (size + 1) : 0
    let second = size > 0 ? first + (seed / 7) % (size - first + 1) : 0

    let whole = decodeWatchInput(input, cuts: [], maxLineBytes: maxLineBytes)
    let split = decodeWatchInput(input, cuts: [first, second], maxLineBytes: maxLineBytes)
    precondition(whole == split, "splitting at \(first), \(second) changed the outcome")
    if size <= 512 {
        let bytewise = decodeWatchInput(input, cuts: Array(0..<size), maxLineBytes: maxLineBytes)
        precondition(whole == bytewise, "byte-at-a-time feeding changed the outcome")
    }

    var encoded: [UInt8] = []
    for event in whole.events {
        var line = JSONObject()
        line["type"] = .string(event.kind.rawValue)
        line["object"] = event.object
        JSONWriter.append(.object(line), to: &encoded)
        encoded.append(UInt8(ascii: "\n"))
    }
    let again = encoded.withUnsafeBytes { decodeWatchInput($0, cuts: [], maxLineBytes: 1 << 30) }
    precondition(again.error == nil && again.leftover == 0, "re-encoded events failed to decode: \(String(describing: again.error))")
    precondition(again.events == whole.events, "re-encoded events differ")
    return 0
}
