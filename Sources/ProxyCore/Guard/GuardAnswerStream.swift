/// Runs a guard's response rules over a streamed answer as it flows — OpenAI chat chunks or
/// Anthropic message events: the concatenated `delta.content` of each choice (Anthropic: the
/// `text_delta`s of each content block), and separately its `delta.reasoning_content`
/// (Anthropic: `thinking_delta`s), goes through its own `GuardStreamScanner`, so a keyword
/// split over any number of chunks still matches.
///
/// Events are passed on whole, and **byte for byte** while the scanner lets their content
/// through unchanged (prose passes at once). When the scanner holds text back (a possible
/// match in progress) or redacts, only the event's `content` string is re-encoded: held text
/// comes out in a later chunk, and what a choice still holds when it finishes (its
/// `finish_reason` chunk, `[DONE]`, or the end of the stream; Anthropic: `content_block_stop`,
/// `message_delta`) comes out in a chunk of its own before that. On a block, the text before
/// the match is passed on, then a final chunk carrying the rule's message with
/// `finish_reason: "content_filter"` and `[DONE]` (Anthropic: the message as a text delta, the
/// block's stop, `stop_reason: "refusal"`, `message_stop`); nothing after it. An event is held
/// until its blank line arrives (at most one event).
///
/// With a moderation hook on answers, what it would pass on goes through a
/// `GuardModerationHold` first: the text is held until the driver's moderation calls
/// (`nextModerationCall`) allowed it (`moderationAllowed`), or dropped when one flagged it
/// (`moderationBlocked`).
///
/// A value owned by one response on its event loop. Pure: no I/O, no clock.
package struct GuardAnswerStream: Sendable {
    package let policy: GuardPolicy
    package let shape: GuardAPIShape
    private var pending: [UInt8] = []
    /// Where in `pending` the search for the end of the event goes on.
    private var searched = 0
    private var choices: [ChoiceScan?] = []
    private var tokens = GuardBlockReply.ChunkTokens(id: Array(#""sluice-guard""#.utf8), created: Array("0".utf8),
                                                     model: Array(#""sluice-guard""#.utf8))
    private var capturedTokens = false
    /// The block rule that ended the stream; nothing is passed on after it.
    package private(set) var blockedRule: Int?
    /// The moderation hook's hold, when the guard moderates answers.
    private var moderation: GuardModerationHold?

    private struct ChoiceScan: Sendable {
        var scanner: GuardStreamScanner
        /// Input bytes fed so far.
        var fed = 0
    }

    package init(policy: GuardPolicy, shape: GuardAPIShape = .openAIChat) {
        self.policy = policy
        self.shape = shape
        moderation = policy.responseModerationRule.flatMap { policy.config.rules[$0].moderation }
            .map { GuardModerationHold(window: $0.streamWindow) }
    }

    /// Passes the next upstream bytes on through `emit`; returns the decisions they caused.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) -> [GuardFinding] {
        guard blockedRule == nil else { return [] }
        pending.append(contentsOf: bytes)
        var findings: [GuardFinding] = []
        var start = 0
        while blockedRule == nil, let end = eventEnd(from: start) {
            let event = Array(pending[start..<end])
            process(event, findings: &findings, emit: emit)
            start = end
            searched = end
        }
        if blockedRule != nil {
            pending = []
        } else if start > 0 {
            pending.removeFirst(start)
            searched = max(0, searched - start)
        }
        return findings
    }

    /// The upstream stream ended: passes on a trailing incomplete event and what the scanners hold.
    package mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) -> [GuardFinding] {
        guard blockedRule == nil else { return [] }
        var findings: [GuardFinding] = []
        flushAll(findings: &findings, emit: emit)
        if blockedRule == nil, !pending.isEmpty { out(pending, emit: emit) }
        pending = []
        return findings
    }

    // MARK: Moderation of the answer

    /// Whether the upstream should pause: a moderation call is in flight and the next window is full.
    package var moderationWantsPause: Bool { moderation?.wantsPause ?? false }

    /// Whether a moderation call is in flight (its verdict is awaited).
    package var isModerationInFlight: Bool { moderation?.isAwaitingVerdict ?? false }

    /// Whether text or bytes wait for the moderation service.
    package var isAwaitingModeration: Bool { moderation?.isHolding ?? false }

    /// The texts of the next moderation call, when one is due (`final`: the stream ended, any text left is due).
    package mutating func nextModerationCall(final: Bool) -> [[UInt8]]? {
        moderation?.nextCall(final: final)
    }

    /// The service allowed the call in flight: the text it covered goes out.
    package mutating func moderationAllowed(emit: (UnsafeRawBufferPointer) -> Void) {
        moderation?.allowed(emit: emit)
    }

    /// The stream ended and every text was moderated: what is still held goes out.
    package mutating func releaseModerated(emit: (UnsafeRawBufferPointer) -> Void) {
        moderation?.releaseAll(emit: emit)
    }

    /// The service flagged the answer (or failed closed) for block rule `rule`: nothing held goes
    /// out; the stream ends with the rule's message (`content_filter`, `[DONE]`; Anthropic: in
    /// a text block of its own, `refusal`).
    package mutating func moderationBlocked(rule: Int, emit: (UnsafeRawBufferPointer) -> Void) {
        guard case .block(let message) = policy.config.rules[rule].action else { return }
        let blockIndex = moderation?.releasedBlockStarts ?? 0
        let openBlock = moderation?.openReleasedBlock
        moderation?.flagged()
        blockedRule = rule
        pending = []
        choices = []
        var out: [UInt8] = []
        switch shape {
        case .openAIChat:
            out += GuardBlockReply.chunk(tokens, index: 0, content: Array(message.utf8), role: false, finishReason: "content_filter")
            out += GuardBlockReply.doneEvent
        case .anthropicMessages:
            // The block whose text was cut stops first, as every Anthropic block does.
            if let openBlock { out += GuardBlockReply.anthropicBlockStop(index: openBlock) }
            out += GuardBlockReply.anthropicTextBlock(index: blockIndex, text: Array(message.utf8))
            out += GuardBlockReply.anthropicEnding(index: nil, stopReason: "refusal")
        }
        out.withUnsafeBytes(emit)
    }

    /// Passes client bytes on, or into the moderation hold.
    private mutating func out(_ bytes: [UInt8], boundary: GuardModerationHold.BlockBoundary = .none, emit: (UnsafeRawBufferPointer) -> Void) {
        guard moderation != nil else { return bytes.withUnsafeBytes(emit) }
        bytes.withUnsafeBytes { moderation!.out($0, boundary: boundary, emit: emit) }
    }

    // MARK: Events

    /// The end of the event starting at `start` (just after its blank line), or nil when it has not all arrived.
    private mutating func eventEnd(from start: Int) -> Int? {
        var index = max(start, searched)
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while index < pending.count {
            if pending[index] == lf {
                if index + 1 < pending.count, pending[index + 1] == lf { return index + 2 }
                if index + 2 < pending.count, pending[index + 1] == cr, pending[index + 2] == lf { return index + 3 }
                if index + 2 >= pending.count {
                    searched = index
                    return nil
                }
            }
            index += 1
        }
        searched = index
        return nil
    }

    private mutating func process(_ event: [UInt8], findings: inout [GuardFinding], emit: (UnsafeRawBufferPointer) -> Void) {
        guard let payload = Self.dataPayload(of: event) else { return out(event, emit: emit) }
        if event[payload].elementsEqual("[DONE]".utf8) {
            flushAll(findings: &findings, emit: emit)
            if blockedRule == nil { out(event, emit: emit) }
            return
        }
        let fields = event.withUnsafeBytes { GuardChoiceFields.read(UnsafeRawBufferPointer(rebasing: $0[payload])) }
        guard let fields else { return out(event, emit: emit) }
        if shape == .anthropicMessages { return processAnthropic(event, payload: payload, fields: fields, findings: &findings, emit: emit) }
        if !capturedTokens {
            // The same on every chunk of a stream: read once, for the chunks the guard writes.
            capturedTokens = true
            let base = payload.lowerBound
            if let id = fields.id { tokens.id = Array(event[base + id.lowerBound..<base + id.upperBound]) }
            if let created = fields.created { tokens.created = Array(event[base + created.lowerBound..<base + created.upperBound]) }
            if let model = fields.model { tokens.model = Array(event[base + model.lowerBound..<base + model.upperBound]) }
        }
        var rewritten = event
        var changed = false
        var before: [UInt8] = []
        let base = payload.lowerBound
        // Choices in reverse, and within one its strings from the last, so a replacement does
        // not move the ranges still to replace.
        for choice in fields.choices.reversed() {
            var replacements: [(range: Range<Int>, text: [UInt8])] = []
            for (part, field) in [(Self.reasoningPart, choice.reasoning), (Self.contentPart, choice.content)] {
                let slot = choice.index * 2 + part
                guard let field else {
                    guard choice.finishReason != nil else { continue }
                    let rest = finishChoice(slot, findings: &findings)
                    if blockedRule != nil { return block(prefix: rest, slot: slot, emit: emit) }
                    if !rest.isEmpty { before += syntheticText(rest, slot: slot) }
                    continue
                }
                let range = base + field.lowerBound..<base + field.upperBound
                let original = GuardMessageExtractor.decode(event, range) ?? []
                var text = scan(original, slot: slot, findings: &findings)
                if blockedRule != nil { return block(prefix: text, slot: slot, emit: emit) }
                if choice.finishReason != nil {
                    text += finishChoice(slot, findings: &findings)
                    if blockedRule != nil { return block(prefix: text, slot: slot, emit: emit) }
                }
                moderation?.note(text, slot: slot)
                if text != original { replacements.append((range, text)) }
            }
            for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                var token: [UInt8] = []
                replacement.text.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &token) }
                rewritten.replaceSubrange(replacement.range, with: token)
                changed = true
            }
        }
        if !before.isEmpty { out(before, emit: emit) }
        out(changed ? rewritten : event, emit: emit)
    }

    /// An Anthropic event: text deltas scanned per content block, held text flushed before a
    /// block's stop and before the message's end.
    private mutating func processAnthropic(_ event: [UInt8], payload: Range<Int>, fields: GuardChoiceFields,
                                           findings: inout [GuardFinding], emit: (UnsafeRawBufferPointer) -> Void) {
        let base = payload.lowerBound
        let type = fields.type.map { event[base + $0.lowerBound..<base + $0.upperBound] }
        func isType(_ name: String) -> Bool { type?.elementsEqual(("\"" + name + "\"").utf8) ?? false }
        let index = fields.index ?? 0
        if isType("content_block_delta"), let (text, part) = fields.deltaText.map({ ($0, Self.contentPart) })
            ?? fields.deltaThinking.map({ ($0, Self.reasoningPart) }) {
            let slot = index * 2 + part
            let range = base + text.lowerBound..<base + text.upperBound
            let original = GuardMessageExtractor.decode(event, range) ?? []
            let passed = scan(original, slot: slot, findings: &findings)
            if blockedRule != nil { return block(prefix: passed, slot: slot, emit: emit) }
            moderation?.note(passed, slot: slot)
            guard passed != original else { return out(event, emit: emit) }
            var token: [UInt8] = []
            passed.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &token) }
            var rewritten = event
            rewritten.replaceSubrange(range, with: token)
            return out(rewritten, emit: emit)
        }
        if isType("content_block_stop") {
            for slot in [index * 2, index * 2 + 1] {
                let rest = finishChoice(slot, findings: &findings)
                if blockedRule != nil { return block(prefix: rest, slot: slot, emit: emit) }
                if !rest.isEmpty { out(syntheticText(rest, slot: slot), emit: emit) }
            }
        } else if isType("message_delta") || isType("message_stop") {
            flushAll(findings: &findings, emit: emit)
            if blockedRule != nil { return }
        }
        out(event, boundary: isType("content_block_start") ? .start : isType("content_block_stop") ? .stop : .none, emit: emit)
    }

    /// Scanner slots: choice (or content block) `i`'s content is slot `2i`, its reasoning `2i + 1`.
    private static let contentPart = 0
    private static let reasoningPart = 1

    /// A chunk (OpenAI: as `content` or `reasoning_content`) or delta event (Anthropic: `text_delta`
    /// or `thinking_delta`) carrying `text` for `slot`; the moderation hold notes the text.
    private mutating func syntheticText(_ text: [UInt8], slot: Int) -> [UInt8] {
        moderation?.note(text, slot: slot)
        let reasoning = slot % 2 == Self.reasoningPart
        return switch shape {
        case .openAIChat:
            GuardBlockReply.chunk(tokens, index: slot / 2, content: text, role: false, finishReason: nil,
                                  field: reasoning ? "reasoning_content" : "content")
        case .anthropicMessages: GuardBlockReply.anthropicTextDelta(index: slot / 2, text: text, thinking: reasoning)
        }
    }

    /// The bytes of the event's single `data` field's value; nil when it has none or several.
    private static func dataPayload(of event: [UInt8]) -> Range<Int>? {
        var found: Range<Int>?
        var lineStart = 0
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while lineStart < event.count {
            var lineEnd = lineStart
            while lineEnd < event.count, event[lineEnd] != lf { lineEnd += 1 }
            var valueEnd = lineEnd
            if valueEnd > lineStart, event[valueEnd - 1] == cr { valueEnd -= 1 }
            if event[lineStart..<valueEnd].starts(with: "data:".utf8) {
                guard found == nil else { return nil }
                var valueStart = lineStart + 5
                if valueStart < valueEnd, event[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
                found = valueStart..<valueEnd
            }
            lineStart = lineEnd + 1
        }
        return found
    }

    // MARK: Scanning

    /// Feeds a slot's text to its scanner; the text to pass on now (cut before a block).
    private mutating func scan(_ text: [UInt8], slot index: Int, findings: inout [GuardFinding]) -> [UInt8] {
        while choices.count <= index { choices.append(nil) }
        var state = choices[index] ?? ChoiceScan(scanner: GuardStreamScanner(rules: policy.response.scanRules))
        let emittedBefore = state.fed - state.scanner.heldBytes
        state.fed += text.count
        let step = state.scanner.feed(text)
        choices[index] = state
        return settle(step, emittedBefore: emittedBefore, findings: &findings)
    }

    /// Ends a slot's text: what its scanner still held (cut before a block).
    private mutating func finishChoice(_ index: Int, findings: inout [GuardFinding]) -> [UInt8] {
        guard index < choices.count, var state = choices[index] else { return [] }
        choices[index] = nil
        let emittedBefore = state.fed - state.scanner.heldBytes
        let step = state.scanner.finish()
        return settle(step, emittedBefore: emittedBefore, findings: &findings)
    }

    private mutating func settle(_ step: GuardScanStep, emittedBefore: Int, findings: inout [GuardFinding]) -> [UInt8] {
        guard !step.matches.isEmpty else { return step.output }
        let verdict = policy.verdict(of: step.matches, in: policy.response)
        findings += verdict.findings
        guard let rule = verdict.block else { return step.output }
        blockedRule = rule
        // The output before the first block match: its input length, plus what redactions before it changed.
        let sources = policy.response.sources
        guard let cut = step.matches.first(where: { sources[$0.rule].rule == rule }) else { return [] }
        var length = cut.range.lowerBound - emittedBefore
        for match in step.matches where match.range.upperBound <= cut.range.lowerBound {
            if let replacement = policy.response.scanRules[match.rule].replacement { length += replacement.count - match.range.count }
        }
        return Array(step.output.prefix(max(0, length)))
    }

    /// Passes on what every choice still holds, each in a chunk of its own.
    private mutating func flushAll(findings: inout [GuardFinding], emit: (UnsafeRawBufferPointer) -> Void) {
        for index in choices.indices where choices[index] != nil {
            let rest = finishChoice(index, findings: &findings)
            if blockedRule != nil { return block(prefix: rest, slot: index, emit: emit) }
            if !rest.isEmpty { out(syntheticText(rest, slot: index), emit: emit) }
        }
    }

    /// Ends the stream safely: the text before the match, the rule's message with
    /// `finish_reason: "content_filter"`, `[DONE]`.
    private mutating func block(prefix: [UInt8], slot: Int, emit: (UnsafeRawBufferPointer) -> Void) {
        guard let rule = blockedRule, case .block(let message) = policy.config.rules[rule].action else { return }
        let choice = slot / 2
        var out: [UInt8] = []
        if !prefix.isEmpty { out += syntheticText(prefix, slot: slot) }
        switch shape {
        case .openAIChat:
            out += GuardBlockReply.chunk(tokens, index: choice, content: Array(message.utf8), role: false, finishReason: "content_filter")
            out += GuardBlockReply.doneEvent
        case .anthropicMessages where slot % 2 == Self.reasoningPart:
            // A thinking block takes no text: it stops, and the message comes in a text block after it.
            out += GuardBlockReply.anthropicBlockStop(index: choice)
            out += GuardBlockReply.anthropicTextBlock(index: choice + 1, text: Array(message.utf8))
            out += GuardBlockReply.anthropicEnding(index: nil, stopReason: "refusal")
        case .anthropicMessages:
            out += GuardBlockReply.anthropicTextDelta(index: choice, text: Array(message.utf8))
            out += GuardBlockReply.anthropicEnding(index: choice, stopReason: "refusal")
        }
        self.out(out, emit: emit)
        pending = []
        choices = []
    }
}
