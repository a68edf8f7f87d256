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
            if case .injected(let pod, _) = WorkloadInjector.inject(try JSONParser.parse(samplePod), settings: goldenSettings) { return pod }
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
        #expect(InjectionSettings.secretMounts(fromAnnotation: #"[{"secret":"k","key":"a","optional":true,"path":"consumers/c/a"}]"#)
            == [.init(secret: "k", key: "a", path: "consumers/c/a", optional: true)], "a consumer key may disappear from its Secret")
        #expect(InjectionSettings.secretMounts(fromAnnotation: #"[{"secret":"k","key":"a","optional":"yes","path":"p"}]"#) == nil)
    }

    @Test func base64MatchesFoundationsEncoder() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }
}

@Suite struct AdmissionReviewOutcomeTests {
    let handler = AdmissionReviewHandler { _, _ in .success(goldenSettings) }

    func response(_ pod: String) throws -> JSONValue {
        let (status, body) = handler.handle(review(pod))
        #expect(status == 200)
        return try #require(try JSONParser.parse(body).value(at: ["response"]))
    }

    @Test func aPortClashIsDeniedWithTheReason() throws {
        let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"litellm","image":"x","ports":[{"containerPort":4000}]}]}}"#
        let answer = try response(pod)
        #expect(answer.value(at: ["uid"]) == .string("7c1e-uid"))
        #expect(answer.value(at: ["allowed"]) == .bool(false))
        #expect(answer.value(at: ["patch"]) == nil)
        #expect(answer.value(at: ["status", "code"]) == .number(JSONNumber(400)))
        #expect(answer.value(at: ["status", "message"])?.string?.hasPrefix(#"sluice: container "litellm" already uses port 4000"#) == true)
    }

    @Test func aHostNetworkPodIsAdmittedUnchangedWithTheReasonEvenWithoutAGateway() throws {
        let lonely = AdmissionReviewHandler { _, _ in .failure(.init(reason: "no gateway")) }
        let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"hostNetwork":true,"containers":[{"name":"app","image":"x"}]}}"#
        let answer = try #require(try JSONParser.parse(lonely.handle(review(pod)).body).value(at: ["response"]))
        #expect(answer.value(at: ["allowed"]) == .bool(true) && answer.value(at: ["patch"]) == nil)
        let warning = try #require(answer.value(at: ["warnings"])?.array?.first?.string)
        #expect(warning.hasPrefix("sluice: not injected: the pod uses hostNetwork"))
    }

    @Test func theInjectorsWarningsComeWithThePatch() throws {
        let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"terminationGracePeriodSeconds":30,"containers":[{"name":"app","image":"x"}]}}"#
        let answer = try response(pod)
        #expect(answer.value(at: ["patchType"]) == .string("JSONPatch"))
        #expect(answer.value(at: ["warnings"]) == .array([.string("sluice: terminationGracePeriodSeconds raised from 30 to 45: the sidecar drains for up to 30s after the app stops")]))
    }
}
