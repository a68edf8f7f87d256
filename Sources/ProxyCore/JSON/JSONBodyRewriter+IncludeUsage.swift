/// Forcing `stream_options.include_usage` on a streaming chat request, so the upstream
/// reports token usage in its last chunk (the "account" phase needs it).
extension JSONBodyRewriter {
    /// The outcome of `ensuringIncludeUsage`.
    package struct IncludeUsageRewrite: Hashable, Sendable {
        /// The body to send upstream (the input bytes, unchanged, when nothing had to change).
        package var body: [UInt8]
        /// Whether the client itself asked for usage (`include_usage` was already `true`); when
        /// false the proxy should strip the usage chunk from what it streams back.
        package var clientRequestedUsage: Bool
    }

    /// `body` with `"stream_options":{"include_usage":true}` guaranteed. Absent
    /// `stream_options` is inserted as the first member; an object keeps its other members
    /// and gets `include_usage` set to `true` (replaced, or inserted first); any other value
    /// (`null`, or something the upstream would refuse anyway) is replaced by the object.
    /// Fails when `body` is not a valid JSON object.
    package static func ensuringIncludeUsage(
        in body: UnsafeRawBufferPointer, maxDepth: Int = 128
    ) -> Result<IncludeUsageRewrite, JSONParseError> {
        let ranges: [Range<Int>?]
        switch JSONFieldScanner.scanTopLevel(body, keys: [Array("stream_options".utf8)], maxDepth: maxDepth) {
        case .success(let found): ranges = found
        case .failure(let error): return .failure(error)
        }
        let usageObject = Array(#"{"include_usage":true}"#.utf8)
        guard let optionsRange = ranges[0] else {
            // scanTopLevel succeeded, so the body is an object and insertion cannot fail.
            let inserted = insertingTopLevelMember(in: body, key: "stream_options", valueBytes: usageObject) ?? Array(body)
            return .success(IncludeUsageRewrite(body: inserted, clientRequestedUsage: false))
        }
        guard JSONFieldScanner.valueKind(body, at: optionsRange) == .object else {
            return .success(IncludeUsageRewrite(body: replacingValue(in: body, at: optionsRange, with: usageObject), clientRequestedUsage: false))
        }
        // The nested object was validated as part of the body, so scanning it cannot fail.
        let options = UnsafeRawBufferPointer(rebasing: body[optionsRange])
        let usageRange = (try? JSONFieldScanner.scanTopLevel(options, keys: [Array("include_usage".utf8)], maxDepth: maxDepth).get())?[0] ?? nil
        let trueBytes = Array("true".utf8)
        if let usageRange {
            if JSONFieldScanner.decodeBool(options, at: usageRange) == true {
                return .success(IncludeUsageRewrite(body: Array(body), clientRequestedUsage: true))
            }
            let absolute = usageRange.lowerBound + optionsRange.lowerBound..<usageRange.upperBound + optionsRange.lowerBound
            return .success(IncludeUsageRewrite(body: replacingValue(in: body, at: absolute, with: trueBytes), clientRequestedUsage: false))
        }
        let newOptions = insertingTopLevelMember(in: options, key: "include_usage", valueBytes: trueBytes) ?? Array(options)
        return .success(IncludeUsageRewrite(body: replacingValue(in: body, at: optionsRange, with: newOptions), clientRequestedUsage: false))
    }

    /// `ensuringIncludeUsage` on an array of bytes.
    package static func ensuringIncludeUsage(in body: [UInt8], maxDepth: Int = 128) -> Result<IncludeUsageRewrite, JSONParseError> {
        body.withUnsafeBytes { ensuringIncludeUsage(in: $0, maxDepth: maxDepth) }
    }
}
