// The guard's cost per KB of text: 1,000 keywords and every built-in detector, redacting, over a
// mixed English and Chinese prompt with some personal data in it, scanned whole and streamed in
// 16-byte deltas. Built with ProxyCore's sources by bench/guard.sh.
//   GuardBench ITERATIONS   prints one JSON line; with ITERATIONS 0 only builds the rules and text
//   (bench/guard.sh runs it under callgrind at two counts and subtracts, for instructions per KB).

func benchKeywords() -> [String] {
    let stems = ["forbidden", "内部资料", "Confidential", "机密", "секрет", "Project凤凰", "απόρρητο", "漏洞利用"]
    return (0..<1000).map { "\(stems[$0 % stems.count])\($0)" }
}

func benchText(kilobytes: Int) -> [UInt8] {
    let paragraph = """
        Please summarise the attached meeting notes for the team and list the action items. \
        会议纪要：下季度的预算需要重新评估，请各部门在周五前提交计划。Contact me at \
        li.wei@example.com or 13912345678 if anything is unclear; the server is at 10.20.30.40. \
        We also discussed the roadmap, the hiring plan and the new office in Shenzhen. 谢谢！\n
        """
    var text: [UInt8] = []
    while text.count < kilobytes * 1024 { text += paragraph.utf8 }
    return Array(text[..<(kilobytes * 1024)])
}

@main
struct GuardBench {
    static func main() throws {
        let iterations = Int(CommandLine.arguments.dropFirst().first ?? "200") ?? 200
        let rules = [GuardScanRule(matcher: try GuardKeywordMatcher(keywords: benchKeywords()), replacement: Array("[kw]".utf8))]
            + GuardDetector.allCases.map { GuardScanRule(matcher: GuardDetectorMatcher($0), replacement: Array("[\($0.rawValue)]".utf8)) }
        let kilobytes = 16
        let text = benchText(kilobytes: kilobytes)
        var sink = 0
        let clock = ContinuousClock()
        let wholeStart = clock.now
        for _ in 0..<iterations { sink &+= GuardStreamScanner.scan(text, rules: rules).matches.count }
        let whole = clock.now - wholeStart
        let streamStart = clock.now
        for _ in 0..<iterations {
            var scanner = GuardStreamScanner(rules: rules)
            var offset = 0
            while offset < text.count {
                sink &+= scanner.feed(text[offset..<min(offset + 16, text.count)]).output.count
                offset += 16
            }
            sink &+= scanner.finish().output.count
        }
        let streamed = clock.now - streamStart
        func nanosecondsPerKB(_ duration: Duration) -> Int {
            let (seconds, attoseconds) = duration.components
            let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
            return iterations == 0 ? 0 : Int(nanoseconds / Double(iterations * kilobytes))
        }
        let (firstChunk, firstHeld) = try firstChunkCost(iterations: iterations, sink: &sink)
        print(#"{"kilobytes":\#(kilobytes),"iterations":\#(iterations),"wholeNsPerKB":\#(nanosecondsPerKB(whole)),"streamed16NsPerKB":\#(nanosecondsPerKB(streamed)),"firstChunkNs":\#(firstChunk),"firstChunkHeldBytes":\#(firstHeld),"sink":\#(sink)}"#)
    }

    /// The guard's CPU time before a stream's first token can go out: a `GuardAnswerStream` for a
    /// response guard with the same 1,000 keywords and every detector, fed the role chunk and the
    /// first content chunk (`"Sure"`). Also how many bytes of that first text it holds back
    /// (a detector that can start on any word, `email`, holds the chunk's last word until the next
    /// chunk shows it is not an address).
    static func firstChunkCost(iterations: Int, sink: inout Int) throws -> (nanoseconds: Int, held: Int) {
        let config = GuardConfig(name: "bench", rules: [
            GuardRuleConfig(name: "keywords", phase: .response, keywords: benchKeywords(), action: .block(message: "no")),
            GuardRuleConfig(name: "detectors", phase: .response, detectors: GuardDetector.allCases, action: .redact(replacement: "[x]")),
        ])
        let policy = GuardPolicy(config)
        let chunks: [[UInt8]] = [
            Array(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#.utf8) + [10, 10],
            Array(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Sure"},"finish_reason":null}]}"#.utf8) + [10, 10],
        ]
        let clock = ContinuousClock()
        var held = 0
        let start = clock.now
        for _ in 0..<max(iterations, 1) {
            var stream = GuardAnswerStream(policy: policy)
            var out = 0
            for chunk in chunks { _ = chunk.withUnsafeBytes { stream.feed($0) { out += $0.count } } }
            held = chunks.reduce(0) { $0 + $1.count } - out
            sink &+= out
        }
        let (seconds, attoseconds) = (clock.now - start).components
        return (Int((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(max(iterations, 1))), held)
    }
}
