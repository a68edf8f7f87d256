/// The answer side of one translated attempt, from its response head to its end: a 2xx event
/// stream is translated as it flows; any other body (a JSON answer, an error) is collected and
/// translated whole when it ends, errors into the client's shape (`ClientErrorShape`). Also the
/// error answer of a chat attempt that passes through, collected and put in the client's shape
/// when it is not already (`init(passThroughErrorOf:upstreamStatus:)`).
///
/// Owned by one session on its event loop. Pure: the caller passes `created` (the Unix time
/// stamped on OpenAI answers) and performs the writes.
package struct AnswerTranslator: Sendable {
    private enum Body: Sendable {
        case anthropicEvents(AnthropicStreamToOpenAI)
        case openAIChunks(OpenAIStreamToAnthropic)
        case whole([UInt8])
    }

    /// A whole body translated: what the client gets.
    package struct Whole: Hashable, Sendable {
        package var status: Int
        package var body: [UInt8]
    }

    /// The most bytes of a body translated whole (a provider's answer larger than this is
    /// answered with an error rather than held without bound).
    package static let maxWholeBytes = 16 << 20

    /// nil: an attempt that passed through, whose error body is normalised.
    private let direction: AttemptTranslation?
    private let client: ChatAPI
    private let upstreamStatus: Int
    private let created: Int
    private var body: Body
    private var overflowed = false

    /// `includeUsage` is the client's `stream_options.include_usage` (OpenAI clients).
    package init(direction: AttemptTranslation, upstreamStatus: Int, eventStream: Bool, includeUsage: Bool, created: Int) {
        self.direction = direction
        self.client = direction.client
        self.upstreamStatus = upstreamStatus
        self.created = created
        guard (200..<300).contains(upstreamStatus), eventStream else {
            body = .whole([])
            return
        }
        switch direction {
        case .openAIToAnthropic: body = .anthropicEvents(AnthropicStreamToOpenAI(created: created, includeUsage: includeUsage))
        case .anthropicToOpenAI: body = .openAIChunks(OpenAIStreamToAnthropic())
        }
    }

    /// The error answer (`upstreamStatus` 400 or above) of an attempt whose backend speaks
    /// `client`'s API: collected whole, and sent untouched when already in the client's error
    /// shape, rewritten into it otherwise (`ClientErrorShape.passThroughError`).
    package init(passThroughErrorOf client: ChatAPI, upstreamStatus: Int) {
        direction = nil
        self.client = client
        self.upstreamStatus = upstreamStatus
        created = 0
        body = .whole([])
    }

    /// Whether the body is collected and translated at its end (not a 2xx stream).
    package var isWhole: Bool {
        if case .whole = body { return true }
        return false
    }

    /// Whether a translated stream met input it could not translate (its output then ended
    /// with an error event in the client's shape).
    package var streamMalformed: Bool {
        switch body {
        case .anthropicEvents(let translator): if case .malformed = translator.finish() { return true }
        case .openAIChunks(let translator): if case .malformed = translator.finish() { return true }
        case .whole: break
        }
        return false
    }

    /// Whether a translated stream's end arrived and was written (`[DONE]`, or `message_stop`).
    package var streamComplete: Bool {
        switch body {
        case .anthropicEvents(let translator): if case .complete = translator.finish() { return true }
        case .openAIChunks(let translator): if case .complete = translator.finish() { return true }
        case .whole: break
        }
        return false
    }

    /// The status the client gets: Anthropic's 529 (overloaded) is 503 for OpenAI clients,
    /// which they retry.
    package var clientStatus: Int {
        upstreamStatus == 529 && client == .openAIChat ? 503 : upstreamStatus
    }

    /// The next bytes of the upstream body: a stream's translation is emitted at once, a whole
    /// body is kept for `finish`.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        switch body {
        case .anthropicEvents(var translator):
            var output: [UInt8] = []
            translator.feed(bytes, into: &output)
            body = .anthropicEvents(translator)
            if !output.isEmpty { output.withUnsafeBytes(emit) }
        case .openAIChunks(var translator):
            var output: [UInt8] = []
            translator.feed(bytes, into: &output)
            body = .openAIChunks(translator)
            if !output.isEmpty { output.withUnsafeBytes(emit) }
        case .whole(var collected):
            guard !overflowed else { return }
            guard collected.count + bytes.count <= Self.maxWholeBytes else {
                overflowed = true
                body = .whole([])
                return
            }
            body = .whole([])  // keeps `collected` uniquely referenced while it grows
            collected.append(contentsOf: bytes)
            body = .whole(collected)
        }
    }

    /// The body ended: a whole body's translation; nil for a stream (its translator already
    /// wrote its end, or a stream cut short stays without one).
    package mutating func finish() -> Whole? {
        guard case .whole(let collected) = body else { return nil }
        body = .whole([])
        guard let direction else {
            let shape = ClientErrorShape(client: client)
            guard !overflowed else { return Self.tooLarge(shape) }
            let error = shape.passThroughError(status: upstreamStatus, body: collected)
            return Whole(status: error.status, body: error.body)
        }
        return Self.translate(whole: collected, status: upstreamStatus, direction: direction, created: created,
                              overflowed: overflowed)
    }

    /// A whole upstream body in the client's API: a 2xx answer translated (a 502 in the client's
    /// shape when it cannot be), an error body rewritten into the client's error shape.
    package static func translate(whole: [UInt8], status: Int, direction: AttemptTranslation, created: Int,
                                  overflowed: Bool = false) -> Whole {
        let shape = ClientErrorShape(client: direction.client)
        guard !overflowed else { return tooLarge(shape) }
        guard (200..<300).contains(status) else {
            let error = shape.providerError(status: status, body: whole)
            return Whole(status: error.status, body: error.body)
        }
        do throws(ProviderTranslationError) {
            let body = switch direction {
            case .openAIToAnthropic: try AnthropicToOpenAIResponse.translate(whole, created: created)
            case .anthropicToOpenAI: try OpenAIToAnthropicResponse.translate(whole)
            }
            return Whole(status: status, body: body)
        } catch {
            return Whole(status: 502, body: shape.body(status: 502, code: "upstream_invalid_response",
                                                       message: "the provider's answer could not be translated: \(error.message)"))
        }
    }

    /// The 502 for a body past `maxWholeBytes`.
    private static func tooLarge(_ shape: ClientErrorShape) -> Whole {
        Whole(status: 502, body: shape.body(status: 502, code: "upstream_invalid_response",
                                            message: "the provider's answer exceeds \(maxWholeBytes) bytes and cannot be translated"))
    }
}
