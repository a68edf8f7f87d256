/// The moderation hook on a streamed answer (ADR 0027): the answer's text is held from the
/// client until the moderation service has seen it. Text is sent in windows of `window`
/// characters (Unicode scalars), and what is left when the stream ends; the client bytes
/// carrying a window's text are released when the service allows it, dropped when it flags it.
///
/// Bytes that carry no text pass at once while no text waits (a stream's first events, the
/// role chunk); from the first unmoderated character on, every byte is held, in order, until
/// released. One call at a time: while one is in flight the next window gathers, and once it
/// is full the caller pauses the upstream (`wantsPause`), so at most two windows of text (and
/// the events around them) are ever held.
///
/// A value owned by one answer on its event loop. Pure: no I/O, no clock.
package struct GuardModerationHold: Sendable {
    /// Characters of text per call.
    package let window: Int
    /// The client bytes not yet released, in order.
    private var held: [UInt8] = []
    /// Text not yet sent to the service, per slot (a choice's content or reasoning).
    private var texts: [Int: [UInt8]] = [:]
    private var pendingCharacters = 0
    /// `held.count` when the call in flight was started: what it releases when it allows.
    private var inFlightMark: Int?
    /// What an event does to the Anthropic content blocks the client sees.
    package enum BlockBoundary: Sendable {
        case none
        /// A `content_block_start` event.
        case start
        /// A `content_block_stop` event.
        case stop
    }

    /// Offsets in `held` of Anthropic block starts and stops, and how many of each went out.
    private var boundaries: [(offset: Int, boundary: BlockBoundary)] = []
    package private(set) var releasedBlockStarts = 0
    private var releasedBlockStops = 0

    /// The index of the content block the client saw start but not stop, if any: a block
    /// ending must stop it before it starts the refusal's own block.
    package var openReleasedBlock: Int? { releasedBlockStarts > releasedBlockStops ? releasedBlockStarts - 1 : nil }

    package init(window: Int) {
        self.window = window
    }

    /// Whether bytes are held or text waits for the service: output goes into the hold.
    package var isHolding: Bool { !held.isEmpty || pendingCharacters > 0 || inFlightMark != nil }

    /// Whether a call is in flight.
    package var isAwaitingVerdict: Bool { inFlightMark != nil }

    /// Whether the upstream should pause: a call is in flight and the next window is full.
    package var wantsPause: Bool { inFlightMark != nil && pendingCharacters >= window }

    /// Text about to go out for `slot` (already through the guard's rules).
    package mutating func note(_ text: [UInt8], slot: Int) {
        guard !text.isEmpty else { return }
        texts[slot, default: []] += text
        for byte in text where byte & 0xC0 != 0x80 { pendingCharacters += 1 }
    }

    /// Client bytes, after the text they carry was noted: passed to `emit`, or held.
    /// `boundary`: the bytes are an Anthropic `content_block_start` or `content_block_stop` event.
    package mutating func out(_ bytes: UnsafeRawBufferPointer, boundary: BlockBoundary = .none, emit: (UnsafeRawBufferPointer) -> Void) {
        guard isHolding else {
            count(boundary)
            return emit(bytes)
        }
        if boundary != .none { boundaries.append((held.count, boundary)) }
        held.append(contentsOf: bytes)
    }

    /// The texts of the next call, when one is due: none in flight, and a full window waits
    /// (or, when `final`, any text). The call covers every byte held so far.
    package mutating func nextCall(final: Bool) -> [[UInt8]]? {
        guard inFlightMark == nil, pendingCharacters >= window || (final && pendingCharacters > 0) else { return nil }
        inFlightMark = held.count
        let call = texts.keys.sorted().compactMap { texts[$0] }
        texts = [:]
        pendingCharacters = 0
        return call
    }

    /// The service allowed the call in flight: the bytes it covers go out, and with them
    /// every later byte when no text waits behind them.
    package mutating func allowed(emit: (UnsafeRawBufferPointer) -> Void) {
        guard let mark = inFlightMark else { return }
        inFlightMark = nil
        release(pendingCharacters == 0 ? held.count : mark, emit: emit)
    }

    /// The service flagged the call in flight (or it failed closed): nothing held goes out.
    package mutating func flagged() {
        inFlightMark = nil
        held = []
        boundaries = []
        texts = [:]
        pendingCharacters = 0
    }

    /// The stream ended with no text left to moderate: what is held goes out.
    package mutating func releaseAll(emit: (UnsafeRawBufferPointer) -> Void) {
        guard inFlightMark == nil, pendingCharacters == 0 else { return }
        release(held.count, emit: emit)
    }

    private mutating func release(_ count: Int, emit: (UnsafeRawBufferPointer) -> Void) {
        guard count > 0 else { return }
        held.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        held.removeFirst(count)
        let released = boundaries.prefix { $0.offset < count }
        for item in released { self.count(item.boundary) }
        boundaries = boundaries.dropFirst(released.count).map { ($0.offset - count, $0.boundary) }
    }

    private mutating func count(_ boundary: BlockBoundary) {
        switch boundary {
        case .none: break
        case .start: releasedBlockStarts += 1
        case .stop: releasedBlockStops += 1
        }
    }
}
