/// One pattern found by a matcher: absolute byte offsets into the scanned text and which of the
/// matcher's patterns it is (a keyword's index, or a detector's variant).
package struct GuardCandidate: Equatable, Sendable {
    package var range: Range<Int>
    package var pattern: Int

    package init(range: Range<Int>, pattern: Int) {
        self.range = range
        self.pattern = pattern
    }
}

/// The text a matcher sees on one call: the bytes still held, where they sit in the whole text,
/// and whether more will come.
package struct GuardWindow {
    /// Held bytes; `bytes[0]` is at absolute offset `base`. At least one byte before any `from`
    /// a matcher is given is kept (when the text has one) for look-behind.
    package var bytes: [UInt8]
    package var base: Int
    /// True once the text has ended: matchers must then decide every start.
    package var isFinal: Bool

    package var end: Int { base + bytes.count }

    /// The byte at absolute `offset`, or nil outside the held bytes.
    package func byte(at offset: Int) -> UInt8? {
        let index = offset - base
        return index >= 0 && index < bytes.count ? bytes[index] : nil
    }
}

/// A matcher that can run on text that arrives in pieces: keywords, built-in detectors, and
/// later the linear-time regex engine.
///
/// Contract (what makes any chunking give the same result as the whole text):
/// - `scan(_:from:into:)` reports every match that starts in `from..<pending` and returns
///   `pending`, the first start whose outcome may still depend on bytes not yet seen. Starts at
///   or after `pending` are offered again on the next call (with `from = pending`); starts
///   before it are never offered again. When `window.isFinal`, `pending` is `window.end`.
/// - Whether a start matches, and how far, depends only on the bytes from one byte before the
///   start to at most `maxMatchLength + 1` bytes after it: so `pending >= window.end -
///   maxMatchLength - 1`, and that is the matcher's hold-back bound.
/// - `pending` never moves backwards.
package protocol GuardStreamingMatcher: Sendable {
    /// The longest match in bytes. The scanner holds back at most this (plus one byte of
    /// look-ahead and an incomplete UTF-8 character) on this matcher's account.
    var maxMatchLength: Int { get }

    /// Appends the matches starting in `from..<pending` to `candidates`; returns `pending`.
    func scan(_ window: GuardWindow, from: Int, into candidates: inout [GuardCandidate]) -> Int
}
