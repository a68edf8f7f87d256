// fuzz-sources: Sources/ProxyCore
// libFuzzer target for JSONParser, JSONWriter, JSONFieldScanner, JSONBodyRewriter and CanonicalJSON.
// Compiled in one module with ProxyCore's sources, so no import. swiftc refuses two inputs with
// the same base name and ProxyCore has Sources/ProxyCore/JSON/JSONParser.swift, so build from a
// renamed copy:
//   cp Tests/Fuzz/JSONParser.swift /tmp/FuzzMain-JSONParser.swift
//   swiftc -O -sanitize=fuzzer -parse-as-library -package-name sluice -module-name FuzzJSON \
//     $(find Sources/ProxyCore -name '*.swift') /tmp/FuzzMain-JSONParser.swift -o /tmp/fuzz-json
//   /tmp/fuzz-json -max_total_time=60 /tmp/corpus-json Tests/Fuzz/corpus/JSONParser
//
// Properties checked on every input:
// - a parsed value written compactly (and pretty, and canonically) parses back to itself;
// - the scanner succeeds exactly when the parser succeeds on an object, with the same error
//   otherwise, and each found range holds the member's value as the tree has it;
// - the rewriter's output on a valid object is valid and carries `include_usage: true`;
// - the cache's canonical form exists exactly for a valid object, and is what the tree gives
//   (numbers normalised, written with `.canonical`).

private let fuzzKeys: [[UInt8]] = ["model", "stream", "max_tokens", "a", "", "\u{E9}", "stream_options"].map { Array($0.utf8) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let parsed = Result { () throws(JSONParseError) in try JSONParser.parse(input) }
    let scanned = JSONFieldScanner.scanTopLevel(input, keys: fuzzKeys)

    switch parsed {
    case .failure(let parseError):
        guard case .failure(let scanError) = scanned else { preconditionFailure("scanner accepted what the parser rejected") }
        let first = JSONLexer.skipWhitespace(input, from: 0)
        if first < size, input[first] == UInt8(ascii: "{") {
            precondition(scanError == parseError, "scanner and parser disagree on the error")
        }
    case .success(let value):
        checkRoundTrip(value)
        if case .object(let members) = value {
            guard case .success(let ranges) = scanned else { preconditionFailure("scanner rejected a valid object") }
            checkScannedRanges(ranges, members: members, input: input)
            checkRewriter(input)
        } else {
            guard case .failure = scanned else { preconditionFailure("scanner accepted a non-object top level") }
        }
        // Strict duplicate checking can only reject, never change what was parsed.
        if let strict = try? JSONParser.parse(input, options: .init(rejectDuplicateKeys: true)) {
            precondition(strict == value)
        }
    }
    checkAppendBytes(input)
    checkCanonical(input, parsed: try? parsed.get())
    return 0
}

private func checkCanonical(_ input: UnsafeRawBufferPointer, parsed: JSONValue?) {
    let canonical = CanonicalJSON.canonicalize(input)
    guard let parsed, case .object = parsed else {
        precondition(canonical == nil, "a canonical form of what is not a JSON object")
        return
    }
    func normalised(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number): .number(CanonicalJSON.normalised(number))
        case .array(let elements): .array(elements.map(normalised))
        case .object(let object): .object(JSONObject(object.members.map { ($0.key, normalised($0.value)) }))
        default: value
        }
    }
    guard let canonical else { preconditionFailure("no canonical form of a valid object") }
    precondition(canonical.bytes == JSONWriter.write(normalised(parsed), options: .canonical), "canonical form differs from the tree's")
}

private func checkRoundTrip(_ value: JSONValue) {
    for options: JSONWriter.Options in [[], .pretty] {
        let written = JSONWriter.write(value, options: options)
        guard let reparsed = try? JSONParser.parse(written) else { preconditionFailure("writer produced invalid JSON") }
        precondition(reparsed == value, "round trip changed the value")
    }
    let canonical = JSONWriter.write(value, options: .canonical)
    guard let reparsed = try? JSONParser.parse(canonical) else { preconditionFailure("canonical output is invalid JSON") }
    precondition(JSONWriter.write(reparsed, options: .canonical) == canonical, "canonical output is not a fixed point")
}

private func checkScannedRanges(_ ranges: [Range<Int>?], members: JSONObject, input: UnsafeRawBufferPointer) {
    precondition(ranges.count == fuzzKeys.count)
    for (key, range) in zip(fuzzKeys, ranges) {
        // Byte equality: the scanner matches keys by bytes, unlike String's canonical equivalence.
        guard let member = members.members.first(where: { $0.key.utf8.elementsEqual(key) }) else {
            precondition(range == nil, "scanner found a key the tree does not have")
            continue
        }
        guard let range else { preconditionFailure("scanner missed a key") }
        precondition((try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: input[range]))) == member.value, "range does not hold the value")
        switch member.value {
        case .string(let string):
            precondition(JSONFieldScanner.decodeString(input, at: range) == string)
        case .number(let number):
            precondition(JSONFieldScanner.decodeInt(input, at: range) == number.int)
        case .bool(let flag):
            precondition(JSONFieldScanner.decodeBool(input, at: range) == flag)
        case .null:
            precondition(JSONFieldScanner.valueKind(input, at: range) == .null)
        case .object:
            precondition(JSONFieldScanner.valueKind(input, at: range) == .object)
        case .array:
            precondition(JSONFieldScanner.valueKind(input, at: range) == .array)
        }
    }
}

private func checkRewriter(_ input: UnsafeRawBufferPointer) {
    guard case .success(let rewrite) = JSONBodyRewriter.ensuringIncludeUsage(in: input) else {
        preconditionFailure("rewriter rejected a valid object")
    }
    guard case .object(let members) = try? JSONParser.parse(rewrite.body) else { preconditionFailure("rewriter broke the body") }
    // Check through the first member named by bytes, as the rewriter (a scanner) sees it.
    let options = members.members.first { $0.key.utf8.elementsEqual("stream_options".utf8) }?.value
    guard case .object(let inner) = options else { preconditionFailure("no stream_options object") }
    let usage = inner.members.first { $0.key.utf8.elementsEqual("include_usage".utf8) }?.value
    precondition(usage == .bool(true), "include_usage not forced")
}

private func checkAppendBytes(_ input: UnsafeRawBufferPointer) {
    var output: [UInt8] = []
    JSONWriter.appendBytesAsString(input, to: &output)
    guard case .string(let string) = try? JSONParser.parse(output) else { preconditionFailure("appendBytesAsString output invalid") }
    var again: [UInt8] = []
    JSONWriter.appendString(string, to: &again)
    precondition(again == output, "appendString and appendBytesAsString disagree")
}
