/// Why a keyword list was refused.
package enum GuardKeywordError: Error, Equatable, Sendable {
    case empty(index: Int)
    case tooLong(index: Int, bytes: Int)
    case tooMany(count: Int)
    case tooManyBytes(total: Int)
}

/// Many keywords matched together in one pass: an Aho–Corasick automaton over the UTF-8 bytes
/// of the case-folded keywords (`GuardCaseFold`), run over the case-folded text.
///
/// Reports every occurrence of every keyword (overlapping ones included; the scanner picks
/// among them); `GuardCandidate.pattern` is the keyword's index in the list given. Memory is
/// bounded by the caps: at most `maxKeywords` keywords of at most `maxKeywordBytes` bytes each,
/// `maxTotalBytes` in all, and the automaton holds about 16 bytes per keyword byte.
package struct GuardKeywordMatcher: GuardStreamingMatcher {
    package static let maxKeywords = 10_000
    package static let maxKeywordBytes = 256
    package static let maxTotalBytes = 256 * 1024

    /// Per state: its first edge in `edgeBytes`/`edgeTargets` and its edge count; edges are
    /// sorted by byte. The root's edges are also kept dense in `rootNext`.
    private var edgeStart: [Int32] = [0]
    private var edgeCount: [UInt16] = [0]
    private var edgeBytes: [UInt8] = []
    private var edgeTargets: [Int32] = []
    private var rootNext = [Int32](repeating: 0, count: 256)
    private var failure: [Int32] = [0]
    private var depth: [Int32] = [0]
    /// The keyword ending at this state (-1 for none), and the next state on the failure chain
    /// that ends a keyword (-1 for none).
    private var keywordAt: [Int32] = [-1]
    private var nextOutput: [Int32] = [-1]
    private var keywordLength: [Int32] = []
    package let maxMatchLength: Int

    package init(keywords: [String]) throws(GuardKeywordError) {
        guard keywords.count <= Self.maxKeywords else { throw .tooMany(count: keywords.count) }
        var folded: [[UInt8]] = []
        var total = 0
        for (index, keyword) in keywords.enumerated() {
            let bytes = Array(keyword.utf8)
            guard !bytes.isEmpty else { throw .empty(index: index) }
            guard bytes.count <= Self.maxKeywordBytes else { throw .tooLong(index: index, bytes: bytes.count) }
            total += bytes.count
            guard total <= Self.maxTotalBytes else { throw .tooManyBytes(total: total) }
            folded.append(Self.fold(bytes))
        }
        maxMatchLength = folded.map(\.count).max() ?? 0
        keywordLength = folded.map { Int32($0.count) }
        build(folded)
    }

    private static func fold(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let length = GuardCaseFold.characterLength(bytes, at: index) ?? bytes.count - index
            GuardCaseFold.appendFolded(bytes, at: index, length: length, to: &out)
            index += length
        }
        return out
    }

    private mutating func build(_ keywords: [[UInt8]]) {
        // A trie with per-state edge maps first, then flattened into sorted edge arrays.
        var children: [[UInt8: Int32]] = [[:]]
        var keywordOf: [Int32] = [-1]
        var depths: [Int32] = [0]
        for (index, keyword) in keywords.enumerated() {
            var state = 0
            for byte in keyword {
                if let next = children[state][byte] {
                    state = Int(next)
                } else {
                    children.append([:])
                    keywordOf.append(-1)
                    depths.append(depths[state] + 1)
                    children[state][byte] = Int32(children.count - 1)
                    state = children.count - 1
                }
            }
            // The first of two equal (after folding) keywords names the match.
            if keywordOf[state] < 0 { keywordOf[state] = Int32(index) }
        }
        let count = children.count
        edgeStart = []
        edgeCount = []
        for state in 0..<count {
            edgeStart.append(Int32(edgeBytes.count))
            edgeCount.append(UInt16(children[state].count))
            for (byte, target) in children[state].sorted(by: { $0.key < $1.key }) {
                edgeBytes.append(byte)
                edgeTargets.append(target)
            }
        }
        for (byte, target) in children[0] { rootNext[Int(byte)] = target }
        depth = depths
        keywordAt = keywordOf
        failure = [Int32](repeating: 0, count: count)
        nextOutput = [Int32](repeating: -1, count: count)
        // Breadth first, so a state's failure target is finished before the state.
        var queue: [Int32] = children[0].values.sorted()
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            for (byte, target) in children[state] {
                var fail = Int(failure[state])
                while true {
                    if let next = child(of: fail, byte: byte), next != Int(target) {
                        failure[Int(target)] = Int32(next)
                        break
                    }
                    if fail == 0 { failure[Int(target)] = 0; break }
                    fail = Int(failure[fail])
                }
                let targetFailure = Int(failure[Int(target)])
                nextOutput[Int(target)] = keywordAt[targetFailure] >= 0 ? Int32(targetFailure) : nextOutput[targetFailure]
                queue.append(target)
            }
        }
    }

    private func child(of state: Int, byte: UInt8) -> Int? {
        if state == 0 {
            let next = rootNext[Int(byte)]
            return next == 0 ? nil : Int(next)
        }
        var low = Int(edgeStart[state])
        var high = low + Int(edgeCount[state])
        while low < high {
            let middle = (low + high) / 2
            let value = edgeBytes[middle]
            if value == byte { return Int(edgeTargets[middle]) }
            if value < byte { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    private func step(_ state: Int, _ byte: UInt8) -> Int {
        var state = state
        while true {
            if let next = child(of: state, byte: byte) { return next }
            if state == 0 { return 0 }
            state = Int(failure[state])
        }
    }

    /// Appends the keywords that end at `state` (at absolute offset `end`).
    private func report(_ state: Int, end: Int, into found: inout [GuardCandidate]) {
        var output = keywordAt[state] >= 0 ? state : Int(nextOutput[state])
        while output >= 0 {
            let keyword = Int(keywordAt[output])
            found.append(GuardCandidate(range: end - Int(keywordLength[keyword])..<end, pattern: keyword))
            output = Int(nextOutput[output])
        }
    }

    package func scan(_ window: GuardWindow, from: Int, into candidates: inout [GuardCandidate]) -> Int {
        let bytes = window.bytes
        var index = from - window.base
        var state = 0
        var folded: [UInt8] = []
        folded.reserveCapacity(4)
        var found: [GuardCandidate] = []
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                // ASCII, the common case: folded in place.
                state = step(state, lead &- 0x41 < 26 ? lead + 0x20 : lead)
                index += 1
                report(state, end: window.base + index, into: &found)
                continue
            }
            let length: Int
            if let whole = GuardCaseFold.characterLength(bytes, at: index) {
                length = whole
            } else if window.isFinal {
                length = 1
            } else {
                break
            }
            folded.removeAll(keepingCapacity: true)
            GuardCaseFold.appendFolded(bytes, at: index, length: length, to: &folded)
            for (offset, byte) in folded.enumerated() {
                state = step(state, byte)
                report(state, end: window.base + index + offset + 1, into: &found)
            }
            index += length
        }
        // A keyword can still start only inside the prefix the automaton is in the middle of.
        let pending = window.isFinal ? window.end : window.base + index - Int(depth[state])
        for candidate in found where candidate.range.lowerBound < pending { candidates.append(candidate) }
        return pending
    }
}
