import Testing
@testable import KubeAPI

@Suite struct KubeErrorTests {
    @Test func aStatusBodyGivesKindReasonAndMessage() {
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","code":404}"#
        let error = KubeError(status: 404, body: Array(body.utf8))
        #expect(error.kind == .notFound && error.reason == "NotFound" && error.message == "configmaps \"x\" not found")
    }

    @Test func conflictAndAlreadyExistsShareTheStatusButNotTheKind() {
        #expect(KubeError(status: 409, body: Array(#"{"reason":"AlreadyExists"}"#.utf8)).kind == .alreadyExists)
        #expect(KubeError(status: 409, body: Array(#"{"reason":"Conflict"}"#.utf8)).kind == .conflict)
        #expect(KubeError(status: 410, body: []).kind == .gone)
        #expect(KubeError(status: 403, body: Array("forbidden".utf8)).kind == .forbidden)
    }

    @Test func onlyThrottlingServerTroubleLostRacesAndNoConnectionAreTransient() {
        for status in [409, 429, 500, 503, 504] { #expect(KubeError(status: status, body: []).isTransient, "\(status)") }
        #expect(KubeError(status: 409, body: Array(#"{"reason":"AlreadyExists"}"#.utf8)).isTransient)
        #expect(KubeError(kind: .transport, status: 0, message: "connection refused").isTransient)
        for status in [400, 401, 403, 404, 405, 415, 422] { #expect(!KubeError(status: status, body: []).isTransient, "\(status)") }
        #expect(!KubeError(kind: .cancelled, status: 0, message: "cancelled").isTransient)
    }

    @Test func resourcePathsFollowTheAPIsLayout() {
        #expect(KubeResource.configMaps.path(namespace: "ns", name: "a") == "/api/v1/namespaces/ns/configmaps/a")
        #expect(KubeResource.leases.path(namespace: "ns") == "/apis/coordination.k8s.io/v1/namespaces/ns/leases")
        #expect(KubeResource.sluice("llmroutes").path(namespace: "ns", name: "r", subresource: "status")
            == "/apis/sluice.dev/v1alpha1/namespaces/ns/llmroutes/r/status")
        #expect(KubeResource.sluice("llmroutes").path(namespace: nil) == "/apis/sluice.dev/v1alpha1/llmroutes")
        #expect(PercentEncoding.queryValue("app=x,tier!=y") == "app%3Dx%2Ctier%21%3Dy")
    }
}
