// fuzz-sources: Sources/ProxyCore
// libFuzzer target for HTTP1RequestParser. Each input is parsed as one connection's bytes, fed
// whole, split in two at a point derived from the input, and (when short) one byte at a time,
// with default limits and with tiny ones so that every limit is reachable from small inputs.
// Invariants (checked with precondition, so a violation is a crash the fuzzer reports):
// - `consumed` never exceeds the bytes passed; body ranges lie within 0..<consumed;
// - the parser always makes progress: it cannot return events forever without data;
// - every feeding yields the same heads, errors, trailers, and the same body bytes;
// - a head's path is normal (`RequestPath`): no dot segment survives into routing.

/// A parser event with body bytes copied out, so feedings can be compared.
enum FuzzHTTP1Event: Equatable {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end(HTTPHeaders)
    case error(HTTP1ParseError)
}

let fuzzTinyLimits = HTTP1Limits(
    maxRequestLineBytes: 40, maxHeaderBytes: 120, maxHeaderCount: 4, maxBodyBytes: 64, maxChunkLineBytes: 24)

/// Feeds `input` cut at `splits` (ascending offsets) and returns the events, adjacent body
/// bytes merged.
func fuzzHTTP1Events(_ input: UnsafeRawBufferPointer, splits: [Int], limits: HTTP1Limits) -> [FuzzHTTP1Event] {
    var parser = HTTP1RequestParser(limits: limits)
    var pending: [UInt8] = []
    var events: [FuzzHTTP1Event] = []
    var calls = 0
    var cursor = 0
    for split in splits + [input.count] {
        pending.append(contentsOf: input[cursor..<split])
        cursor = split
        feeding: while true {
            let step = pending.withUnsafeBytes { parser.parse($0) }
            calls += 1
            // Each call either consumes bytes or changes state; a request has at most a
            // handful of zero-byte events, so this bounds any livelock.
            precondition(calls <= 8 * (input.count + 2) + 8, "parser is not making progress")
            precondition(step.consumed >= 0 && step.consumed <= pending.count, "consumed beyond the buffer")
            switch step.event {
            case .needMoreData:
                pending.removeFirst(step.consumed)
                break feeding
            case .head(let head):
                // The path routing and forwarding use is normal: normalising it again changes nothing.
                if head.path.first == "/" {
                    precondition(RequestPath.normalize(head.path) == .success(.unchanged), "a parsed path is not normal")
                }
                events.append(.head(head))
            case .body(let range):
                precondition(range.lowerBound >= 0 && range.upperBound <= step.consumed && !range.isEmpty, "body range out of bounds")
                if case .body(let previous) = events.last {
                    events[events.count - 1] = .body(previous + pending[range])
                } else {
                    events.append(.body(Array(pending[range])))
                }
            case .end(let trailers):
                events.append(.end(trailers))
            case .error(let error):
                events.append(.error(error))
                precondition((400...599).contains(error.status), "error status out of range")
                // The parser must stay failed.
                let again = pending.withUnsafeBytes { parser.parse($0) }
                precondition(again.event == .error(error) && again.consumed == 0, "parser left the error state")
                return events
            }
            pending.removeFirst(step.consumed)
        }
    }
    return events
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let split = size == 0 ? 0 : (Int(data[0]) &* 131 &+ Int(data[size - 1]) &* 7 &+ size) % (size + 1)
    for limits in [HTTP1Limits.default, fuzzTinyLimits] {
        let whole = fuzzHTTP1Events(input, splits: [], limits: limits)
        let halves = fuzzHTTP1Events(input, splits: [split], limits: limits)
        precondition(whole == halves, "whole and split feedings disagree")
        if size > 1 && size <= 512 {
            let bytewise = fuzzHTTP1Events(input, splits: Array(1..<size), limits: limits)
            precondition(whole == bytewise, "whole and byte-by-byte feedings disagree")
        }
    }
    return 0
}
