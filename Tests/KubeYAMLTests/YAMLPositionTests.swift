import ProxyCore
import Testing
@testable import KubeYAML

/// `readDocumentsWithPositions`: where each node starts, by the JSON path messages use.
@Suite struct YAMLPositionTests {
    static let manifests = """
        # two documents
        apiVersion: sluice.dev/v1alpha1
        kind: LLMRoute
        metadata: {name: r, labels: {"app.kubernetes.io/name": x}}
        spec:
          parentRefs: [{name: gw}, {name: other}]
          rules:
            - name: main
              retry:
                statuses: ["3xx", 429,
                           200]
            -
              backendRefs:
              - name: a
        ---
        é: [x, {y: 1}]
        """

    @Test func everyNodeIsFoundByItsPath() throws {
        let documents = try YAMLReader.readDocumentsWithPositions(Array(Self.manifests.utf8))
        #expect(documents.map(\.value) == (try YAMLReader.readDocuments(Self.manifests)))
        let first = try #require(documents.first)
        let expected: [String: String] = [
            "": "2:1", "apiVersion": "2:1", "metadata": "4:1", "metadata.name": "4:12",
            "metadata.labels": "4:21", #"metadata.labels["app.kubernetes.io/name"]"#: "4:30",
            "spec": "5:1", "spec.parentRefs": "6:3", "spec.parentRefs[0]": "6:16", "spec.parentRefs[1].name": "6:29",
            "spec.rules": "7:3", "spec.rules[0]": "8:5", "spec.rules[0].name": "8:7", "spec.rules[0].retry.statuses": "10:9",
            "spec.rules[0].retry.statuses[0]": "10:20", "spec.rules[0].retry.statuses[2]": "11:20",
            "spec.rules[1]": "12:5", "spec.rules[1].backendRefs[0].name": "14:9",
        ]
        for (path, position) in expected {
            #expect(first.positions[path]?.description == position, "\(path)")
        }
        // Columns count characters, not bytes, and each document has its own paths.
        #expect(documents[1].positions[#"["é"][1].y"#]?.description == "16:9")
    }

    @Test func aMissingNodeIsPlacedAtItsNearestAncestor() throws {
        let document = try #require(try YAMLReader.readDocumentsWithPositions(Array(Self.manifests.utf8)).first)
        #expect(document.position(of: "spec.rules[0].backendRefs")?.description == "8:5")
        #expect(document.position(of: "spec.rules[1].backendRefs[0].weight")?.description == "14:7")
        #expect(document.position(of: "status.conditions[0]")?.description == "2:1")
        #expect(document.position(of: #"metadata.labels["app.kubernetes.io/name"].x"#)?.description == "4:30")
        #expect(document.position(of: #"metadata.labels["not.there"]"#)?.description == "4:21", "cut inside the quotes, then found")
        #expect(JSONPath.parent(of: "a.b[2]") == "a.b" && JSONPath.parent(of: "a") == "" && JSONPath.parent(of: "") == nil)
    }

    @Test func withoutPositionsNothingIsRecorded() throws {
        var parser = YAMLParser(source: try YAMLSource(Array(Self.manifests.utf8), maxBytes: 1 << 20), limits: YAMLReader.Limits())
        _ = try parser.parseStream()
        #expect(parser.positions == nil && parser.documentPositions.isEmpty)
    }
}
