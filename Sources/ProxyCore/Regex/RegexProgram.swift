/// A compiled pattern: the instructions of a Thompson NFA over UTF-8 bytes, run by `RegexPikeVM`.
/// Immutable, so one value serves every event loop.
struct RegexProgram: Sendable {
    let instructions: [RegexInstruction]
    let asciiSets: [RegexByteSet]
    let scalarSets: [RegexSetMatcher]
    /// Every match starts at offset 0 (the pattern starts with `\A` or `^` without `(?m)`).
    let anchoredStart: Bool
    /// The bytes a match can start with, when that is known (the pattern cannot match empty):
    /// the search skips to the next such byte when no thread is alive.
    let firstBytes: RegexByteSet?
    /// How many instructions a thread can wait at (consuming ones and `match`).
    let threadStates: Int
    /// How many `split`s there are (the depth of a closure's pending branches).
    let splits: Int
}
