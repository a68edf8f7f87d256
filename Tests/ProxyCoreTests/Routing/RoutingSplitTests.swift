import Testing
@testable import ProxyCore

@Suite struct RoutingSplitTests {
    private static func grayRelease(_ openai: Int, _ deepseek: Int, sticky: Bool = true) -> String {
        #"{"name": "gray", "split": [{"backend": "openai", "weight": \#(openai)}, {"backend": "deepseek", "weight": \#(deepseek), "model": "deepseek-chat"}]"#
            + (sticky ? #", "sticky": {"header": "x-user-id"}}"# : "}")
    }

    @Test func randomPicksFollowTheWeightsWithinOnePercent() throws {
        let table = try routingTable(Self.grayRelease(90, 10, sticky: false))
        var generator = SplitMix64(state: 42)
        var deepseek = 0
        let picks = 100_000
        for _ in 0..<picks {
            let decision = table.route(path: "/v1/chat/completions", model: "gpt-4o", headers: [:], random: generator.next())
            if decision?.backendName == "deepseek" { deepseek += 1 }
            #expect(decision?.selection == .random)
        }
        let share = Double(deepseek) / Double(picks)
        #expect(abs(share - 0.10) <= 0.01, "deepseek share \(share)")
    }

    @Test func pickerRangesAreExactAtTheirEdges() throws {
        let picker = try #require(WeightedPicker(weights: [90, 10]))
        #expect(picker.total == 100)
        #expect(picker.pick(position: 0) == 0)
        // position / 2^64 < 0.9 ⇔ position < ceil(0.9 × 2^64).
        let edge = UInt64.max / 10 * 9 + 6
        #expect(picker.pick(position: edge - 1) == 0)
        #expect(picker.pick(position: edge) == 1)
        #expect(picker.pick(position: .max) == 1)
        #expect(WeightedPicker(weights: [0, 0]) == nil)
        #expect(WeightedPicker(weights: []) == nil)
        #expect(WeightedPicker(weights: [-1, 2]) == nil)
    }

    @Test func weightZeroEntriesAreNeverPicked() throws {
        let picker = try #require(WeightedPicker(weights: [0, 3, 0, 1, 0]))
        var generator = SplitMix64(state: 7)
        var counts = [0, 0, 0, 0, 0]
        for _ in 0..<20_000 { counts[picker.pick(position: generator.next())] += 1 }
        for position: UInt64 in [0, 1, .max / 4 * 3 - 1, .max / 4 * 3, .max / 4 * 3 + 1, .max] { counts[picker.pick(position: position)] += 1 }
        #expect(counts[0] == 0 && counts[2] == 0 && counts[4] == 0)
        #expect(counts[1] > 0 && counts[3] > 0)

        let table = try routingTable(#"{"name": "drain", "split": [{"backend": "openai", "weight": 0}, {"backend": "deepseek", "weight": 5}], "sticky": {"header": "x-user-id"}}"#)
        for user in 0..<1_000 {
            let decision = table.route(path: "/", model: nil, headers: ["x-user-id": "user-\(user)"], random: UInt64(user) &* 0x9e37_79b9_7f4a_7c15)
            #expect(decision?.backendName == "deepseek")
            #expect(decision?.selection == .single)
        }
    }

    @Test func stickyHashIsFixedForever() {
        // Pinned values: if these change, every sticky user in every deployment moves.
        #expect(StickyHash.hash("") == StickyHash.finalize(0xcbf2_9ce4_8422_2325))
        #expect(StickyHash.hash("user-42") == StickyHash.finalize(Self.fnv1a("user-42")))
        #expect(StickyHash.hash("user-42") == 11_787_383_432_861_261_453)
        let bytes = Array("user-42".utf8)
        #expect(bytes.withUnsafeBytes { StickyHash.hash($0) } == StickyHash.hash("user-42"))
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    @Test func stickyPicksAreStableForTheSameUserAcrossRequestsAndRebuilds() throws {
        let first = try routingTable(Self.grayRelease(90, 10))
        let rebuilt = try routingTable(Self.grayRelease(90, 10))
        var generator = SplitMix64(state: 1)
        for user in 0..<2_000 {
            let headers: HTTPHeaders = ["x-user-id": "user-\(user)"]
            let expected = first.route(path: "/", model: "gpt-4o", headers: headers, random: generator.next())
            #expect(expected?.selection == .sticky)
            for _ in 0..<3 {
                #expect(first.route(path: "/", model: "gpt-4o", headers: headers, random: generator.next()) == expected)
                #expect(rebuilt.route(path: "/", model: "gpt-4o", headers: headers, random: generator.next()) == expected)
            }
        }
    }

    @Test func stickySplitKeepsTheWeightsOverManyUsers() throws {
        let table = try routingTable(Self.grayRelease(90, 10))
        var deepseek = 0
        for user in 0..<100_000 where table.route(path: "/", model: "gpt-4o", headers: ["x-user-id": "user-\(user)"], random: 0)?.backendName == "deepseek" {
            deepseek += 1
        }
        #expect(abs(Double(deepseek) / 100_000 - 0.10) <= 0.01, "\(deepseek)")
    }

    @Test func movingNinetyTenToEightyTwentyMovesAboutTenPercentOfUsers() throws {
        let before = try routingTable(Self.grayRelease(90, 10))
        let after = try routingTable(Self.grayRelease(80, 20))
        var moved = 0
        var movedBack = 0
        let users = 100_000
        for user in 0..<users {
            let headers: HTTPHeaders = ["x-user-id": "u\(user)@example.com"]
            let old = before.route(path: "/", model: "gpt-4o", headers: headers, random: 0)?.splitIndex
            let new = after.route(path: "/", model: "gpt-4o", headers: headers, random: 0)?.splitIndex
            if old != new { moved += 1 }
            if old == 1 && new == 0 { movedBack += 1 }
        }
        let share = Double(moved) / Double(users)
        #expect(share >= 0.08 && share <= 0.12, "moved \(share)")
        #expect(movedBack == 0, "growing the DeepSeek side never moves its users away")
    }

    @Test func requestsWithoutTheStickyHeaderArePickedAtRandom() throws {
        let table = try routingTable(Self.grayRelease(50, 50))
        var generator = SplitMix64(state: 99)
        var seen: Set<String> = []
        for _ in 0..<200 {
            let decision = try #require(table.route(path: "/", model: "gpt-4o", headers: [:], random: generator.next()))
            #expect(decision.selection == .random)
            seen.insert(decision.backendName)
        }
        #expect(seen == ["openai", "deepseek"])
    }
}
