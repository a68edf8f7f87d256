// bench/regex.sh: matches per second of LinearRegex next to Swift's Regex on a 1 KB input, and
// heap allocations per match (when alloc_count.so is preloaded). Built with ProxyCore's sources
// in one module (so no import); not a shipped binary.
import Glibc

/// About 1 KB of prompt-like text: English, an address, numbers, some Chinese, a model name.
let benchText: String = {
    let paragraph = "Please summarise the attached report for the quarterly review. Contact jane.doe+reports@example.com "
        + "or call 555-0142 before Friday; the budget line is 12,480 EUR. 请用中文总结这份报告的要点，并列出三个风险。"
        + "The model gpt-4o-mini answered in 850 ms. "
    var text = ""
    while text.utf8.count < 1024 { text += paragraph }
    return String(decoding: Array(text.utf8).prefix(1024).reduce(into: [UInt8]()) { $0.append($1) }, as: UTF8.self)
}()

struct BenchCase {
    let name: String
    let pattern: String
    let input: String
    /// Whole-match (a route's model condition) rather than search.
    let whole: Bool
}

let cases: [BenchCase] = [
    BenchCase(name: "literal, absent", pattern: "claude-3-opus", input: benchText, whole: false),
    BenchCase(name: "prompt injection (?i), absent", pattern: "(?i)ignore (all )?previous instructions", input: benchText, whole: false),
    BenchCase(name: "email address", pattern: #"[\w.+-]+@[\w-]+\.[\w.]+"#, input: benchText, whole: false),
    BenchCase(name: "card number, absent", pattern: #"\b(?:\d[ -]*?){13,16}\b"#, input: benchText, whole: false),
    BenchCase(name: "two or more Han", pattern: #"\p{Han}{2,}"#, input: benchText, whole: false),
    BenchCase(name: "IPv4, absent", pattern: #"\b\d{1,3}(?:\.\d{1,3}){3}\b"#, input: benchText, whole: false),
    BenchCase(name: "route: whole model name", pattern: #"claude-3-(opus|sonnet|haiku)-\d{8}"#, input: "claude-3-haiku-20240307", whole: true),
]

typealias AllocationCounter = @convention(c) () -> UInt
let allocationCounter: AllocationCounter? = dlsym(dlopen(nil, RTLD_NOW), "sluice_bench_allocations")
    .map { unsafeBitCast($0, to: AllocationCounter.self) }

/// Runs `body` for about `seconds` and returns (calls per second, allocations per call).
func measure(seconds: Double, _ body: () -> Bool) -> (perSecond: Double, allocations: Double?) {
    var sink = 0
    for _ in 0..<100 where body() { sink += 1 }
    let clock = ContinuousClock()
    var calls = 0
    let allocationsBefore = allocationCounter?()
    let start = clock.now
    var elapsed = 0.0
    while elapsed < seconds {
        for _ in 0..<200 where body() { sink += 1 }
        calls += 200
        let duration = clock.now - start
        elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    let allocations = allocationCounter.map { Double($0() - allocationsBefore!) / Double(calls) }
    if sink < 0 { print(sink) }
    return (Double(calls) / elapsed, allocations)
}

func format(_ value: Double) -> String {
    value >= 1e6 ? "\((value / 1e5).rounded() / 10) M" : value >= 1e3 ? "\((value / 100).rounded() / 10) k" : "\(value.rounded())"
}

@main struct RegexBenchMain {
    static func main() throws {
        let seconds = Double(CommandLine.arguments.dropFirst().first ?? "") ?? 1.0
        print("input: \(benchText.utf8.count) bytes of text; \(seconds) s per figure; allocations per match "
              + (allocationCounter == nil ? "not counted (run through bench/regex.sh)" : "counted"))
        print("| pattern | match | LinearRegex matches/s | allocs/match | Swift Regex matches/s | allocs/match | ratio |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for item in cases {
            let ours = try LinearRegex(item.pattern)
            let theirs = try Regex(item.pattern)
            let oursAnswer = item.whole ? ours.wholeMatch(item.input) : ours.containsMatch(in: item.input)
            let theirsAnswer = item.whole ? (try? theirs.wholeMatch(in: item.input)) != nil : item.input.contains(theirs)
            guard oursAnswer == theirsAnswer else { fatalError("\(item.name): the engines disagree") }
            let a = measure(seconds: seconds) { item.whole ? ours.wholeMatch(item.input) : ours.containsMatch(in: item.input) }
            let b = measure(seconds: seconds) { item.whole ? (try? theirs.wholeMatch(in: item.input)) != nil : item.input.contains(theirs) }
            let allocs = { (value: Double?) in value.map { String(($0 * 10).rounded() / 10) } ?? "n/a" }
            print("| \(item.name): `\(item.pattern)` | \(oursAnswer ? "yes" : "no") | \(format(a.perSecond)) | \(allocs(a.allocations)) "
                  + "| \(format(b.perSecond)) | \(allocs(b.allocations)) | \((a.perSecond / b.perSecond * 10).rounded() / 10)× |")
        }
        // The pathological pattern, on our engine only: Swift's Regex would not return.
        let nested = try LinearRegex("(a+)+$")
        let aaa = String(repeating: "a", count: 1023) + "!"
        let p = measure(seconds: seconds) { nested.containsMatch(in: aaa) }
        print("| pathological: `(a+)+$` on 1,023 a's and a ! | no | \(format(p.perSecond)) | "
              + "\(p.allocations.map { String(($0 * 10).rounded() / 10) } ?? "n/a") | not run (backtracks: 20 a's took 46 s) | | |")
    }
}
