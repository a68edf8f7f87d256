// fuzz-sources: Sources/ProxyCore
// libFuzzer target for HTTPResponseHeadReader and SecretMasker, the two readers of what a
// provider sends back. The input is split into lines as libcurl hands them over; the first
// 8 to 40 bytes (by the first byte) also serve as a secret to mask. Invariants (precondition):
// - the reader never traps, and its field ranges lie inside the line;
// - no head is accepted with more fields or bytes than the limits;
// - masking the input whole, or split at any point, gives the same bytes, of the same length,
//   and the secret (unless it holds `*`, the mask's own byte) does not occur in them.

let fuzzLimits = HTTPResponseHeadReader.Limits(maxFieldCount: 4, maxHeadBytes: 200)

func fuzzReadHead(_ input: UnsafeRawBufferPointer) {
    var reader = HTTPResponseHeadReader(limits: fuzzLimits)
    var fields = 0
    var bytes = 0
    var start = 0
    while start < input.count {
        var end = start
        while end < input.count, input[end] != 0x0A { end += 1 }
        end = min(end + 1, input.count)
        let line = UnsafeRawBufferPointer(rebasing: input[start..<end])
        switch reader.read(line) {
        case .failure:
            return
        case .success(.status):
            fields = 0
            bytes = line.count
        case .success(.field(let name, let value)):
            precondition(name.upperBound <= line.count && value.upperBound <= line.count, "field range outside the line")
            fields += 1
            bytes += line.count
        case .success(.ignored):
            bytes += line.count
        case .success(.end):
            bytes += line.count
        }
        precondition(fields <= fuzzLimits.maxFieldCount, "more fields than the limit were accepted")
        precondition(bytes <= fuzzLimits.maxHeadBytes, "a head over the byte limit was accepted")
        start = end
    }
}

func fuzzMask(_ masker: SecretMasker, _ input: UnsafeRawBufferPointer, split: Int) -> [UInt8] {
    var copy = masker
    var out: [UInt8] = []
    copy.feed(UnsafeRawBufferPointer(rebasing: input[..<split])) { out.append(contentsOf: $0) }
    copy.feed(UnsafeRawBufferPointer(rebasing: input[split...])) { out.append(contentsOf: $0) }
    copy.finish { out.append(contentsOf: $0) }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    fuzzReadHead(input)
    guard size > 0 else { return 0 }
    let secretLength = 8 + Int(data[0]) % 33
    guard size > secretLength else { return 0 }
    let secret = String(decoding: input[1...secretLength], as: UTF8.self)
    guard let masker = SecretMasker(secret: secret) else { return 0 }
    let text = UnsafeRawBufferPointer(rebasing: input[(secretLength + 1)...])
    let whole = fuzzMask(masker, text, split: 0)
    precondition(whole.count == text.count, "masking changed the length")
    let secretBytes = Array(secret.utf8)
    // A secret made of `*` could reappear from its own mask next to a `*` of the text.
    if secretBytes.count <= whole.count, !secretBytes.contains(UInt8(ascii: "*")) {
        for offset in 0...(whole.count - secretBytes.count) {
            precondition(!whole[offset..<(offset + secretBytes.count)].elementsEqual(secretBytes), "the secret survived masking")
        }
    }
    let split = (Int(data[size - 1]) &* 31 &+ size) % (text.count + 1)
    precondition(fuzzMask(masker, text, split: split) == whole, "a split input masked differently")
    return 0
}
