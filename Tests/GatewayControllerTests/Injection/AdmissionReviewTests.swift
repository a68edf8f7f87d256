import Foundation
import KubeYAML
import ProxyCore
import Testing
@testable import GatewayController

/// Applies RFC 6902 `add`/`replace` operations on object paths: enough to check the
/// webhook's patches against the golden injected pod.
func applyPatch(_ operations: JSONValue, to document: JSONValue) throws -> JSONValue {
    var result = document
    for operation in operations.array ?? [] {
        let op = try #require(operation.value(at: ["op"])?.string)
        #expect(op == "add" || op == "replace")
        let pointer = try #require(operation.value(at: ["path"])?.string)
        let path = pointer.split(separator: "/").map { String($0).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
        if op == "replace" { #expect(result.value(at: path) != nil, "replace needs an existing \(pointer)") }
        if op == "add" { #expect(result.value(at: path) == nil, "add over an existing \(pointer)") }
        result.setValue(operation.value(at: ["value"]), at: path)
    }
    return result
}

func review(_ pod: String, uid: String = "7c1e-uid") -> [UInt8] {
    Array("""
    {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\(uid)",
     "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
     "namespace":"team-a","operation":"CREATE","object":\(pod)}}
    """.utf8)
}

let samplePod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"chat-app","namespace":"team-a","labels":{"app":"chat"}},"spec":{"containers":[{"name":"app","image":"example.com/chat:1.2","env":[{"name":"LOG_LEVEL","value":"info"}]}]}}"#

@Suite struct AdmissionReviewTests {
    let handler = AdmissionReviewHandler { _, _ in .success(goldenSettings) }

    @Test func thePatchTurnsThePodIntoTheGoldenInjectedPod() throws {
        let (status, body) = handler.handle(review(samplePod))
        #expect(status == 200)
        let response = try JSONParser.parse(body)
        #expect(response.value(at: ["response", "uid"]) == .string("7c1e-uid"))
        #expect(response.value(at: ["response", "allowed"]) == .bool(true))
        #expect(response.value(at: ["response", "patchType"]) == .string("JSONPatch"))
        let encoded = try #require(response.value(at: ["response", "patch"])?.string)
        let patch = try JSONParser.parse(Array(try #require(Data(base64Encoded: encoded))))
        let patched = try applyPatch(patch, to: try JSONParser.parse(samplePod))
        let golden = try String(contentsOf: InjectionGoldenTests.directory.appendingPathComponent("pod-native.out.yaml"), encoding: .utf8)
        var expected = try #require(try YAMLReader.readDocuments(golden).first)
        // The golden pod carries the namespace from its file; so does the review's object.
        expected.setValue(.string("team-a"), at: ["metadata", "namespace"])
        #expect(patched == expected)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"{"apiVersion":"v1","kind":"Pod"}"#, "AdmissionReview"),
        (#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}"#, "uid"),
    ])
    func aMalformedReviewIsA400WithTheReason(body: String, fragment: String) throws {
        let (status, response) = handler.handle(Array(body.utf8))
        #expect(status == 400)
        let message = try #require(try JSONParser.parse(response).value(at: ["error", "message"])?.string)
        #expect(message.contains(fragment))
    }

    @Test func aPodAnotherReplicaAlreadyInjectedIsAdmittedWithoutAPatch() throws {
        let injected = String(decoding: JSONWriter.write(try #require({
            if case .injected(let pod) = WorkloadInjector.inject(try JSONParser.parse(samplePod), settings: goldenSettings) { return pod }
            return nil
        }())), as: UTF8.self)
        let response = try JSONParser.parse(handler.handle(review(injected)).body)
        #expect(response.value(at: ["response", "allowed"]) == .bool(true))
        #expect(response.value(at: ["response", "patch"]) == nil)
    }

    @Test func withoutAGatewayThePodIsAdmittedUnchangedWithAWarning() throws {
        let lonely = AdmissionReviewHandler { namespace, _ in .failure(.init(reason: "no LLMGateway in \(namespace) selects this pod")) }
        let response = try JSONParser.parse(lonely.handle(review(samplePod)).body)
        #expect(response.value(at: ["response", "allowed"]) == .bool(true))
        #expect(response.value(at: ["response", "patch"]) == nil)
        #expect(response.value(at: ["response", "warnings"])?.array?.first?.string?.contains("team-a") == true)
    }

    @Test func otherKindsAreAdmittedUntouched() throws {
        let body = Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"ConfigMap"},"object":{}}}"#.utf8)
        let response = try JSONParser.parse(handler.handle(body).body)
        #expect(response.value(at: ["response", "allowed"]) == .bool(true))
        #expect(response.value(at: ["response", "patch"]) == nil)
    }
}

@Suite struct InjectionDecisionTests {
    @Test(arguments: [
        ([:], [:], ["sluice.dev/inject": "enabled"], true),
        (["sluice.dev/inject": "disabled"], [:], ["sluice.dev/inject": "enabled"], false),
        ([:], ["sluice.dev/inject": "enabled"], [:], true),
        (["sluice.dev/inject": "enabled"], ["sluice.dev/inject": "disabled"], [:], false),
        ([:], [:], [:], false),
        ([:], [:], ["sluice.dev/inject": "disabled"], false),
    ] as [([String: String], [String: String], [String: String], Bool)])
    func podLabelsAndAnnotationsWinOverTheNamespace(labels: [String: String], annotations: [String: String],
                                                    namespace: [String: String], injects: Bool) {
        let decision = InjectionDecision.decide(podLabels: labels, podAnnotations: annotations, namespaceLabels: namespace)
        #expect((decision == .inject) == injects)
    }

    @Test func secretMountsAreReadFromTheControllersAnnotation() {
        let mounts = InjectionSettings.secretMounts(fromAnnotation: #"[{"secret":"openai","key":"api-key","path":"openai/api-key"}]"#)
        #expect(mounts == [.init(secret: "openai", key: "api-key", path: "openai/api-key")])
        #expect(InjectionSettings.secretMounts(fromAnnotation: #"[{"secret":1}]"#) == nil)
    }

    @Test func base64MatchesFoundationsEncoder() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }
}
