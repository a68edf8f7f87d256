/// Runs a `RegexProgram` over bytes in one pass (Pike's VM): all threads advance together, one
/// byte per step, and a thread that reaches an instruction another thread of higher priority
/// already holds at this position is dropped. So each step costs at most one visit per
/// instruction, and a match takes O(input × program) time whatever the pattern, with
/// leftmost-first priorities (those of Python's `re` and Perl) deciding which match is reported.
///
/// Memory: scratch space per call sized by the program, on the stack up to 16 KB (a program of
/// a few hundred instructions), on the heap beyond; nothing per byte.
struct RegexPikeVM {
    /// What the caller wants to know.
    enum Mode {
        /// The leftmost match, ending where leftmost-first priority says.
        case first
        /// Whether there is any match (stops at the first one found).
        case any
        /// Whether the whole input matches.
        case whole
    }

    /// The threads waiting at one position, in priority order.
    private struct ThreadList {
        let pcs: UnsafeMutablePointer<Int32>
        let starts: UnsafeMutablePointer<Int>
        var count = 0
        /// Marks an instruction as visited at this list's position.
        var generation: Int32 = 0
    }

    private let instructions: UnsafeBufferPointer<RegexInstruction>
    private let program: RegexProgram
    private let input: UnsafeRawBufferPointer
    private let marks: UnsafeMutablePointer<Int32>
    private let stackPCs: UnsafeMutablePointer<Int32>
    private let stackStarts: UnsafeMutablePointer<Int>
    private var generations: Int32 = 0

    /// The match's byte offsets, or nil. For `.any` and `.whole` the offsets of a found match.
    static func run(_ program: RegexProgram, on input: UnsafeRawBufferPointer, mode: Mode) -> Range<Int>? {
        let count = program.instructions.count, threads = program.threadStates, stack = program.splits + 1
        return program.instructions.withUnsafeBufferPointer { instructions in
            withScratch(small: count + 2 * threads + stack, wide: 2 * threads + stack) { base, wideBase in
                base.initialize(repeating: -1, count: count)
                var vm = RegexPikeVM(instructions: instructions, program: program, input: input, marks: base,
                                     stackPCs: base + count + 2 * threads, stackStarts: wideBase + 2 * threads)
                var current = ThreadList(pcs: base + count, starts: wideBase)
                var next = ThreadList(pcs: base + count + threads, starts: wideBase + threads)
                return vm.run(mode, &current, &next)
            }
        }
    }

    /// Calls `body` with `small` Int32s and `wide` Ints of scratch space.
    private static func withScratch<Result>(small: Int, wide: Int,
                                            _ body: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int>) -> Result) -> Result {
        // withUnsafeTemporaryAllocation uses the stack up to 1 KB and the heap beyond (measured on
        // Linux); inline arrays keep mid-sized programs on the stack too, at the cost of zeroing them.
        if small * 4 <= 1024 && wide * 8 <= 1024 || small > 2048 || wide > 1024 {
            return withUnsafeTemporaryAllocation(of: Int32.self, capacity: small) { small in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: wide) { wide in body(small.baseAddress!, wide.baseAddress!) }
            }
        }
        var smallStorage = InlineArray<2048, Int32>(repeating: 0)
        var wideStorage = InlineArray<1024, Int>(repeating: 0)
        var smallSpan = smallStorage.mutableSpan
        var wideSpan = wideStorage.mutableSpan
        return smallSpan.withUnsafeMutableBufferPointer { small in
            wideSpan.withUnsafeMutableBufferPointer { wide in body(small.baseAddress!, wide.baseAddress!) }
        }
    }

    private mutating func run(_ mode: Mode, _ current: inout ThreadList, _ next: inout ThreadList) -> Range<Int>? {
        let count = input.count
        let restarts = mode != .whole && !program.anchoredStart
        var matched: Range<Int>? = nil
        var position = 0
        current.generation = newGeneration()
        while true {
            if matched == nil && (position == 0 || restarts) {
                if restarts, current.count == 0, let firstBytes = program.firstBytes {
                    var start = position
                    while start < count, !firstBytes.contains(input[start]) { start += 1 }
                    guard start < count else { break }
                    if start != position {
                        position = start
                        current.generation = newGeneration()
                    }
                }
                if position == 0 || position == count || input[position] & 0xC0 != 0x80 {
                    addThread(to: &current, pc: 0, start: position, at: position)
                }
            }
            if current.count == 0 && !(matched == nil && restarts && position < count) { break }

            next.count = 0
            next.generation = newGeneration()
            let byte: UInt8? = position < count ? input[position] : nil
            threads: for index in 0..<current.count {
                let pc = Int(current.pcs[index]), start = current.starts[index]
                var target = -1
                switch instructions[pc] {
                case .match:
                    switch mode {
                    case .any: return start..<position
                    case .whole: if position == count { return 0..<count }
                    case .first:
                        matched = start..<position
                        break threads
                    }
                case .byte(let expected):
                    if byte == expected { target = pc + 1 }
                case .byteRange(let low, let high):
                    if let byte, byte >= low, byte <= high { target = pc + 1 }
                case .asciiSet(let set):
                    if let byte, program.asciiSets[Int(set)].contains(byte) { target = pc + 1 }
                case .scalarSet(let set, let width):
                    guard let byte else { break }
                    let matcher = program.scalarSets[Int(set)]
                    if byte < 0x80 {
                        if matcher.ascii.contains(byte) { target = pc + Int(width) }
                    } else if let (scalar, length) = UTF8Scalar.decode(at: position, in: input), matcher.containsNonASCII(scalar) {
                        target = pc + 1 + Int(width) - length
                    }
                case .continuation:
                    if byte != nil { target = pc + 1 }
                case .split, .jump, .assert:
                    preconditionFailure("thread lists hold only consuming instructions and matches")
                }
                if target >= 0 { addThread(to: &next, pc: Int32(target), start: start, at: position + 1) }
            }
            if position == count { break }
            position += 1
            swap(&current, &next)
        }
        return mode == .first ? matched : nil
    }

    /// Adds the thread at `pc` and everything it reaches without consuming, in priority order,
    /// skipping instructions the list already holds.
    private func addThread(to list: inout ThreadList, pc: Int32, start: Int, at position: Int) {
        var depth = 1
        stackPCs[0] = pc
        stackStarts[0] = start
        while depth > 0 {
            depth -= 1
            var pc = Int(stackPCs[depth])
            let start = stackStarts[depth]
            while marks[pc] != list.generation {
                marks[pc] = list.generation
                switch instructions[pc] {
                case .split(let first, let second):
                    stackPCs[depth] = second
                    stackStarts[depth] = start
                    depth += 1
                    pc = Int(first)
                case .jump(let target):
                    pc = Int(target)
                case .assert(let assertion):
                    guard assertion.holds(at: position, in: input) else { break }
                    pc += 1
                default:
                    list.pcs[list.count] = Int32(pc)
                    list.starts[list.count] = start
                    list.count += 1
                }
            }
        }
    }

    /// A fresh mark for a list; when the counter runs out (after 2^31 positions), every mark is cleared.
    private mutating func newGeneration() -> Int32 {
        if generations == Int32.max {
            marks.update(repeating: -1, count: program.instructions.count)
            generations = 0
        }
        generations += 1
        return generations
    }
}
