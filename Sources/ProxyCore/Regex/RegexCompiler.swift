/// Compiles a `RegexNode` into a `RegexProgram` (Thompson's construction over UTF-8 bytes),
/// within `LinearRegex.Limits`.
struct RegexCompiler {
    private var instructions: [RegexInstruction] = []
    private var asciiSets: [RegexByteSet] = []
    private var asciiSetIndex: [RegexByteSet: Int32] = [:]
    private var scalarSets: [RegexSetMatcher] = []
    private var scalarSetIndex: [RegexScalarSet: Int32] = [:]
    private var classRanges = 0

    static func compile(_ node: RegexNode) throws(RegexSyntaxError) -> RegexProgram {
        var compiler = RegexCompiler()
        try compiler.emit(node)
        try compiler.append(.match)
        let instructions = compiler.instructions
        return RegexProgram(
            instructions: instructions, asciiSets: compiler.asciiSets, scalarSets: compiler.scalarSets,
            anchoredStart: Self.startsAtTextStart(node),
            firstBytes: node.canMatchEmpty ? nil : compiler.firstBytes(),
            threadStates: instructions.count(where: \.isThread),
            splits: instructions.count(where: { if case .split = $0 { true } else { false } }))
    }

    private mutating func append(_ instruction: RegexInstruction) throws(RegexSyntaxError) {
        guard instructions.count < LinearRegex.Limits.instructions else {
            throw RegexSyntaxError(.tooLarge, "the pattern compiles to more than \(LinearRegex.Limits.instructions) instructions; "
                                   + "lower its repetition counts or split it", at: 0)
        }
        instructions.append(instruction)
    }

    private var next: Int32 { Int32(instructions.count) }

    private mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        switch node {
        case .empty:
            break
        case .literal(let bytes):
            for byte in bytes { try append(.byte(byte)) }
        case .set(let set):
            try emitSet(set)
        case .assertion(let assertion):
            try append(.assert(assertion))
        case .concat(let nodes):
            for node in nodes { try emit(node) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index == branches.count - 1 {
                    try emit(branch)
                    break
                }
                let split = instructions.count
                try append(.split(next + 1, 0))
                try emit(branch)
                jumpsToEnd.append(instructions.count)
                try append(.jump(0))
                instructions[split] = .split(Int32(split + 1), next)
            }
            for jump in jumpsToEnd { instructions[jump] = .jump(next) }
        case .repetition(let body, let min, let max, let greedy):
            try emitRepetition(body, min: min, max: max, greedy: greedy)
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?, greedy: Bool) throws(RegexSyntaxError) {
        let prefix = max == nil && min > 0 ? min - 1 : min
        for _ in 0..<prefix { try emit(body) }
        guard let max else {
            if min > 0 {
                // x+: the body, then back to it or on.
                let loop = next
                try emit(body)
                try append(greedy ? .split(loop, next + 1) : .split(next + 1, loop))
            } else {
                // x*: in or past, the body, back.
                let loop = instructions.count
                try append(.split(0, 0))
                try emit(body)
                try append(.jump(Int32(loop)))
                instructions[loop] = greedy ? .split(Int32(loop + 1), next) : .split(next, Int32(loop + 1))
            }
            return
        }
        // x{0,k} nested: (x(x(x)?)?)?, every skip going to the end.
        var splits: [Int] = []
        for _ in 0..<(max - min) {
            splits.append(instructions.count)
            try append(.split(0, 0))
            try emit(body)
        }
        for split in splits {
            instructions[split] = greedy ? .split(Int32(split + 1), next) : .split(next, Int32(split + 1))
        }
    }

    private mutating func emitSet(_ set: RegexScalarSet) throws(RegexSyntaxError) {
        if let single = set.single {
            for byte in Unicode.Scalar(single).map({ Array($0.utf8) }) ?? [] { try append(.byte(byte)) }
            return
        }
        if set.isASCII {
            if set.ranges.count == 1 {
                try append(.byteRange(UInt8(set.ranges[0].lowerBound), UInt8(set.ranges[0].upperBound)))
            } else {
                try append(.asciiSet(asciiSetIndex(for: RegexByteSet(asciiOf: set))))
            }
            return
        }
        let width = set.maxEncodedLength
        try append(.scalarSet(try scalarSetIndex(for: set), width: UInt8(width)))
        for _ in 1..<width { try append(.continuation) }
    }

    private mutating func asciiSetIndex(for set: RegexByteSet) -> Int32 {
        if let index = asciiSetIndex[set] { return index }
        asciiSets.append(set)
        asciiSetIndex[set] = Int32(asciiSets.count - 1)
        return Int32(asciiSets.count - 1)
    }

    private mutating func scalarSetIndex(for set: RegexScalarSet) throws(RegexSyntaxError) -> Int32 {
        if let index = scalarSetIndex[set] { return index }
        classRanges += set.ranges.count
        guard classRanges <= LinearRegex.Limits.classRanges else {
            throw RegexSyntaxError(.tooLarge, "the pattern's classes hold more than \(LinearRegex.Limits.classRanges) ranges; "
                                   + "use fewer distinct classes", at: 0)
        }
        scalarSets.append(RegexSetMatcher(set))
        scalarSetIndex[set] = Int32(scalarSets.count - 1)
        return Int32(scalarSets.count - 1)
    }

    /// The first bytes of the instructions reachable from the start without consuming.
    /// Assertions are passed through: they only narrow where a match may start.
    private func firstBytes() -> RegexByteSet? {
        var bytes = RegexByteSet()
        var seen = Set<Int32>()
        var pending: [Int32] = [0]
        while let pc = pending.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[Int(pc)] {
            case .byte(let byte): bytes.insert(byte...byte)
            case .byteRange(let low, let high): bytes.insert(low...high)
            case .asciiSet(let index): bytes.formUnion(asciiSets[Int(index)])
            case .scalarSet(let index, _):
                bytes.formUnion(scalarSets[Int(index)].ascii)
                bytes.formUnion(scalarSets[Int(index)].leadBytes)
            case .continuation, .match: return nil
            case .assert: pending.append(pc + 1)
            case .split(let first, let second): pending += [first, second]
            case .jump(let target): pending.append(target)
            }
        }
        return bytes
    }

    private static func startsAtTextStart(_ node: RegexNode) -> Bool {
        switch node {
        case .assertion(.textStart): true
        case .concat(let nodes): nodes.first.map(startsAtTextStart) ?? false
        case .alternation(let branches): branches.allSatisfy(startsAtTextStart)
        default: false
        }
    }
}
