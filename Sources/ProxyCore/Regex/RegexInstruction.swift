/// One step of a compiled pattern. Consuming instructions continue at the next instruction
/// (`scalarSet` further on, see below); `split`, `jump` and `assert` consume nothing.
enum RegexInstruction: Hashable, Sendable {
    /// Consume this byte.
    case byte(UInt8)
    /// Consume a byte in the range.
    case byteRange(UInt8, UInt8)
    /// Consume an ASCII byte of `RegexProgram.asciiSets[index]`.
    case asciiSet(Int32)
    /// Consume one whole scalar of `RegexProgram.scalarSets[index]`, decoded from UTF-8. It is
    /// followed by `width - 1` `continuation`s (width: the set's longest encoding); a scalar of
    /// `n` bytes continues at `pc + 1 + width - n`, so the `n - 1` continuations it passes
    /// consume the rest of its bytes, one per step like every other thread.
    case scalarSet(Int32, width: UInt8)
    /// Consume one byte of a scalar that `scalarSet` already checked.
    case continuation
    /// Continue at both, the first with priority (leftmost-first).
    case split(Int32, Int32)
    /// Continue there.
    case jump(Int32)
    /// Continue at the next instruction if the assertion holds here.
    case assert(RegexAssertion)
    /// A match ends here.
    case match

    /// Whether a thread at this instruction waits for a byte (or is a match) rather than moving on at once.
    var isThread: Bool {
        switch self {
        case .split, .jump, .assert: false
        default: true
        }
    }
}
