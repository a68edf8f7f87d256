import Testing
@testable import ProxyCore

/// Patterns that take a backtracking engine exponential time finish in one linear pass here;
/// they are checked for the right answer (timing belongs to bench/regex.sh), on inputs long
/// enough that a backtracker would never return.
@Suite struct RegexPathologicalTests {
    static let longA = String(repeating: "a", count: 10_000)

    @Test(arguments: [20, 30, 10_000])
    func nestedPlusAgainstAsAndABangDoesNotMatch(count: Int) throws {
        let regex = try LinearRegex("(a+)+$")
        let input = String(repeating: "a", count: count) + "!"
        #expect(!regex.containsMatch(in: input))
        #expect(regex.firstMatch(in: input) == nil)
        #expect(!regex.wholeMatch(input))
        #expect(regex.wholeMatch(String(repeating: "a", count: count)))
    }

    @Test func alternationOfTheSameLetterFindsTheBOnlyWhenPresent() throws {
        let regex = try LinearRegex("(a|a)*b")
        #expect(!regex.containsMatch(in: Self.longA))
        #expect(regex.firstMatch(in: Self.longA + "b") == 0..<10_001)
        #expect(regex.firstMatch(in: "xx" + Self.longA + "b") == 2..<10_003)
    }

    @Test func starOfAStarFindsTheBOnlyWhenPresent() throws {
        let regex = try LinearRegex("(a*)*b")
        #expect(!regex.containsMatch(in: Self.longA))
        #expect(regex.containsMatch(in: Self.longA + "b"))
        #expect(regex.wholeMatch(Self.longA + "b"))
    }

    @Test func twoPlusesInALoopNeedTheY() throws {
        let regex = try LinearRegex("(x+x+)+y")
        let xs = String(repeating: "x", count: 10_000)
        #expect(!regex.containsMatch(in: xs))
        #expect(regex.firstMatch(in: xs + "y") == 0..<10_001)
        #expect(!regex.wholeMatch("x" + "y"), "one x is not two")
    }

    @Test func wordsWithOptionalSpacesAgainstALongSentence() throws {
        let regex = try LinearRegex(#"^(\w+\s?)*$"#)
        let sentence = String(repeating: "word ", count: 2_000)
        #expect(regex.wholeMatch(sentence))
        #expect(!regex.containsMatch(in: sentence + "!"))
    }

    @Test func boundedRepetitionsOfLargeClassesStayLinear() throws {
        let regex = try LinearRegex(#"(\p{L}{1,20}\s?){1,20}!"#)
        let text = String(repeating: "漢字テキスト ", count: 1_500)
        #expect(!regex.containsMatch(in: text))
        #expect(regex.containsMatch(in: text + "!"))
    }
}
