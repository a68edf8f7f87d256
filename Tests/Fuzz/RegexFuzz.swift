// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `LinearRegex`: the bytes before the first NUL are the pattern (decoded as
// UTF-8, invalid bytes replaced), the rest is the input (raw bytes, valid UTF-8 or not).
// Properties checked on every input:
// 1. compiling never crashes: a pattern compiles or is refused with a position inside it;
// 2. matching never crashes and the three questions agree: `containsMatch` exactly when
//    `firstMatch` finds something, `wholeMatch` only if `containsMatch`, a found range inside the
//    input and, on valid UTF-8, on scalar boundaries;
// 3. a pattern matches itself literally escaped, and `\A(?:pattern)\z` answers as `wholeMatch` does.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let pattern = String(decoding: bytes[..<split], as: UTF8.self)
    let input = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[Swift.min(split + 1, size)...])

    let regex: LinearRegex
    do {
        regex = try LinearRegex(pattern)
    } catch {
        precondition(error.position >= 0 && error.position <= pattern.unicodeScalars.count, "the position is inside the pattern")
        precondition(!error.message.isEmpty)
        return 0
    }
    let found = regex.firstMatch(in: input)
    let contains = regex.containsMatch(in: input)
    let whole = regex.wholeMatch(input)
    precondition(contains == (found != nil), "containsMatch and firstMatch disagree")
    precondition(!whole || contains, "a whole match is a match")
    if let found {
        precondition(found.lowerBound >= 0 && found.upperBound <= input.count, "the match lies inside the input")
        let valid = String(validating: input, as: UTF8.self) != nil
        for bound in [found.lowerBound, found.upperBound] where valid && bound < input.count {
            precondition(input[bound] & 0xC0 != 0x80, "a match starts and ends on scalar boundaries")
        }
    }
    if let anchored = try? LinearRegex("\\A(?:" + pattern + ")\\z") {
        precondition(anchored.containsMatch(in: input) == whole, "wholeMatch and \\A(?:…)\\z disagree")
    }
    let escaped = pattern.unicodeScalars.map { $0.properties.isAlphabetic || $0.properties.numericType != nil ? String($0) : "\\x{\(String($0.value, radix: 16))}" }.joined()
    if let literal = try? LinearRegex(escaped) {
        precondition(literal.wholeMatch(pattern), "an escaped pattern matches itself")
    }
    return 0
}
