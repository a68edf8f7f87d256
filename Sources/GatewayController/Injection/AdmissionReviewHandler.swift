import ProxyCore

/// The mutating admission webhook's logic: an `admission.k8s.io/v1` AdmissionReview in,
/// the review with a JSON Patch out. Pure; the HTTPS server around it lives in
/// `sluice-controller`. A review that cannot be read gets a 400 with the reason, and a pod
/// the webhook cannot handle (no gateway, `hostNetwork`) is admitted unchanged with a
/// warning: an outage or a bug here must never block an application's deploy. Only a pod the
/// sidecar would break (a port clash) or whose injection settings are wrong is denied.
package struct AdmissionReviewHandler: Sendable {
    /// The injection settings for a pod in a namespace with these labels, or nil with the
    /// reason no gateway applies.
    package typealias SettingsLookup = @Sendable (_ namespace: String, _ podLabels: [String: String]) -> Result<InjectionSettings, NoGateway>

    package struct NoGateway: Error, Sendable {
        package var reason: String
        package init(reason: String) { self.reason = reason }
    }

    private let settings: SettingsLookup

    package init(settings: @escaping SettingsLookup) {
        self.settings = settings
    }

    /// Handles one request body; returns the HTTP status and the JSON body to send.
    package func handle(_ body: [UInt8]) -> (status: Int, body: [UInt8]) {
        let review: JSONValue
        do {
            review = try JSONParser.parse(body)
        } catch {
            return failure("the body is not JSON: \(error)")
        }
        guard review.value(at: ["apiVersion"])?.string == "admission.k8s.io/v1",
              review.value(at: ["kind"])?.string == "AdmissionReview" else {
            return failure("expected an admission.k8s.io/v1 AdmissionReview")
        }
        guard let uid = review.value(at: ["request", "uid"])?.string else {
            return failure("request.uid is missing")
        }
        guard review.value(at: ["request", "kind", "kind"])?.string == "Pod",
              let pod = review.value(at: ["request", "object"]), pod.object != nil else {
            return allow(uid: uid, warnings: ["sluice: only Pods are injected"])
        }
        // The webhook is only called for opted-in namespaces or pods (its selectors), so only
        // an explicit opt-out on the pod stops it here.
        if let decided = WorkloadInjector.screen(pod) { return answer(uid: uid, decided, original: pod) }
        let namespace = review.value(at: ["request", "namespace"])?.string
            ?? pod.value(at: ["metadata", "namespace"])?.string ?? "default"
        let labels = SidecarInjector.stringMap(pod.value(at: ["metadata", "labels"]))
        switch self.settings(namespace, labels) {
        case .success(let settings):
            // The webhook sees no ConfigMap or Secret of the app: any envFrom may set the base URLs.
            return answer(uid: uid, WorkloadInjector.inject(pod, settings: settings, envSources: .none), original: pod)
        case .failure(let noGateway):
            return allow(uid: uid, warnings: ["sluice: not injected: \(noGateway.reason)"])
        }
    }

    private func answer(uid: String, _ outcome: WorkloadInjector.Outcome, original: JSONValue) -> (status: Int, body: [UInt8]) {
        switch outcome {
        case .unchanged:
            return allow(uid: uid, warnings: [])
        case .skipped(let reason):
            return allow(uid: uid, warnings: ["sluice: not injected: \(reason)"])
        case .refused(let reason):
            // 400: the API server reports it as `admission webhook "…" denied the request: <message>`.
            let status = JSONObject([("code", .number(JSONNumber(400))), ("reason", .string("BadRequest")),
                                     ("message", .string("sluice: \(reason)"))])
            return respond(uid: uid, allowed: false, extra: [("status", .object(status))], warnings: [])
        case .injected(let injected, let warnings):
            let patch = JSONWriter.write(JSONPatch.operations(from: original, to: injected))
            return respond(uid: uid, allowed: true, extra: [("patchType", .string("JSONPatch")), ("patch", .string(Base64.encode(patch)))],
                           warnings: warnings.map { "sluice: \($0)" })
        }
    }

    private func allow(uid: String, warnings: [String]) -> (status: Int, body: [UInt8]) {
        respond(uid: uid, allowed: true, extra: [], warnings: warnings)
    }

    private func respond(uid: String, allowed: Bool, extra: [(String, JSONValue)], warnings: [String]) -> (status: Int, body: [UInt8]) {
        var response = JSONObject([("uid", .string(uid)), ("allowed", .bool(allowed))] + extra.map { ($0.0, $0.1) })
        if !warnings.isEmpty { response["warnings"] = .array(warnings.map { .string($0) }) }
        let review = JSONObject([
            ("apiVersion", .string("admission.k8s.io/v1")),
            ("kind", .string("AdmissionReview")),
            ("response", .object(response)),
        ])
        return (200, JSONWriter.write(.object(review)))
    }

    private func failure(_ message: String) -> (status: Int, body: [UInt8]) {
        (400, ProxyErrorBody.json(message: message, type: "invalid_request_error", code: "invalid_admission_review"))
    }
}
