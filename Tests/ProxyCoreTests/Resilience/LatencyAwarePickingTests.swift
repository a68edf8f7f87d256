import Testing
@testable import ProxyCore

/// `WeightedPicker.pick(position:weightPercent:available:)` and `RouteTable.adjust`.
extension ResilienceTests {
    @Suite struct LatencyAwarePickingTests {
        static let picker = WeightedPicker(weights: [90, 10, 0])!

        @Test func withNothingShiftedThePickIsTheOrdinaryOne() {
            var random = SplitMix64(seed: 11)
            for _ in 0..<2_000 {
                let position = random.next()
                #expect(Self.picker.pick(position: position, weightPercent: { _ in 100 }, available: { _ in true })
                    == Self.picker.pick(position: position))
            }
        }

        @Test func aShiftedEntryGetsItsReducedShare() {
            var random = SplitMix64(seed: 3)
            var counts = [0, 0, 0]
            for _ in 0..<100_000 {
                let index = Self.picker.pick(position: random.next(), weightPercent: { $0 == 0 ? 10 : 100 }, available: { _ in true })!
                counts[index] += 1
            }
            // 90 × 10 % = 9 against 10: about 47 % / 53 %.
            #expect((45_000...49_500).contains(counts[0]))
            #expect(counts[2] == 0)
        }

        @Test func unavailableEntriesAreNeverPickedAndNoneAvailableIsNil() {
            var random = SplitMix64(seed: 4)
            for _ in 0..<1_000 {
                #expect(Self.picker.pick(position: random.next(), weightPercent: { _ in 100 }, available: { $0 != 0 }) == 1)
            }
            #expect(Self.picker.pick(position: 5, weightPercent: { _ in 100 }, available: { _ in false }) == nil)
            #expect(Self.picker.pick(position: 5, weightPercent: { _ in 0 }, available: { _ in true }) == nil)
        }

        @Test func theRouteTableRepicksAroundEjectedAndSlowBackends() throws {
            let config = try decodeValidConfig(configText(
                routes: #"{"name": "g", "split": [{"backend": "openai", "weight": 90}, {"backend": "deepseek", "weight": 10, "model": "deepseek-chat"}], "sticky": {"header": "x-user-id"}}"#))
            let table = try RouteTable(config)
            var random = SplitMix64(seed: 9)
            var moved = 0
            for user in 0..<500 {
                let headers: HTTPHeaders = ["x-user-id": "user-\(user)"]
                let position = random.next()
                let decision = try #require(table.route(path: "/v1/chat/completions", model: "gpt-4o", headers: headers, random: position))
                // Nothing shifted: the same decision, so sticky users stay put.
                #expect(table.adjust(decision, model: "gpt-4o", headers: headers, random: position,
                                     weightPercent: { _ in 100 }, available: { _ in true }) == decision)
                // OpenAI ejected: everyone lands on DeepSeek with its model.
                let ejected = table.adjust(decision, model: "gpt-4o", headers: headers, random: position,
                                           weightPercent: { _ in 100 }, available: { $0 != 0 })
                #expect(ejected.backendName == "deepseek" && ejected.upstreamModel == "deepseek-chat" && ejected.selection == .sticky)
                // Both ejected: the decision stands (fail open; the attempt plan falls back).
                #expect(table.adjust(decision, model: "gpt-4o", headers: headers, random: position,
                                     weightPercent: { _ in 100 }, available: { _ in false }) == decision)
                let shifted = table.adjust(decision, model: "gpt-4o", headers: headers, random: position,
                                           weightPercent: { $0 == 0 ? 10 : 100 }, available: { _ in true })
                if shifted.backendIndex != decision.backendIndex { moved += 1 }
            }
            // Shifting OpenAI to 10 % moves roughly (0.9 - 0.47) of users.
            #expect((150...280).contains(moved))
        }
    }
}
