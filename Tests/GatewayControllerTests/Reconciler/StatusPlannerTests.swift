import ProxyCore
import Testing
@testable import GatewayController

@Suite struct StatusPlannerTests {
    static let now = "2026-05-01T00:00:00Z"

    func route(generation: Int, status: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("metadata", .obj([("name", .str("r")), ("namespace", .str("ns")), ("generation", .num(generation))]))]
        if let status { members.append(("status", status)) }
        return .obj(members)
    }

    let id = ResourceID(.route, "ns", "r")

    func desired(_ conditions: [DesiredCondition], gateways: [String] = ["gw"]) -> DesiredStatus {
        DesiredStatus(id: id, generation: 0, conditions: conditions, fields: [], gateways: gateways)
    }

    @Test func aNewStatusIsWrittenWithTheObjectsGeneration() throws {
        let updates = StatusPlanner.updates([desired([DesiredCondition(type: "Accepted", status: true, reason: "Accepted", message: "ok")])],
                                            existing: [id: route(generation: 4)], writeFailures: [:], now: Self.now)
        let status = try #require(updates.first).patch.field("status")
        #expect(status?.field("observedGeneration")?.int == 4)
        #expect(status?.field("conditions")?.array?.first?.field("observedGeneration")?.int == 4)
        #expect(status?.field("conditions")?.array?.first?.field("lastTransitionTime")?.string == Self.now)
    }

    @Test func anUnchangedStatusIsNotWrittenAgain() throws {
        let want = [DesiredCondition(type: "Accepted", status: true, reason: "Accepted", message: "ok")]
        let first = StatusPlanner.updates([desired(want)], existing: [id: route(generation: 2)], writeFailures: [:], now: Self.now)
        let written = route(generation: 2, status: try #require(first.first).patch.field("status"))
        #expect(StatusPlanner.updates([desired(want)], existing: [id: written], writeFailures: [:], now: "2030-01-01T00:00:00Z").isEmpty)
    }

    @Test func aFailedConfigMapWriteMakesProgrammedFalseForWhatItHolds() throws {
        let want = [DesiredCondition(type: "Programmed", status: true, reason: "Programmed", message: "in ConfigMap")]
        let updates = StatusPlanner.updates([desired(want)], existing: [id: route(generation: 1)], writeFailures: ["gw": "HTTP 403 Forbidden"], now: Self.now)
        let condition = try #require(updates.first?.patch.field("status")?.field("conditions")?.array?.first)
        #expect(condition.field("status")?.string == "False")
        #expect(condition.field("reason")?.string == "ConfigMapWriteFailed")
        #expect(updates.first?.newFailures.map(\.reason) == ["ConfigMapWriteFailed"])
    }

    @Test func objectsNotInTheCacheAreSkipped() {
        #expect(StatusPlanner.updates([desired([])], existing: [:], writeFailures: [:], now: Self.now).isEmpty)
    }
}
