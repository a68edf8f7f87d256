import KubeAPI

/// The kinds the controller reads: the five Sluice CRDs and core Secrets.
package enum ResourceKind: String, Hashable, Sendable, CaseIterable, Comparable {
    case gateway = "LLMGateway"
    case backend = "LLMBackend"
    case route = "LLMRoute"
    case consumer = "LLMConsumer"
    case guardPolicy = "LLMGuardPolicy"
    case secret = "Secret"

    /// The kind as objects spell it.
    package var kind: String { rawValue }

    /// `apiVersion` of objects of this kind.
    package var apiVersion: String { self == .secret ? "v1" : "sluice.dev/v1alpha1" }

    /// Where the API serves this kind.
    package var resource: KubeResource {
        switch self {
        case .gateway: .sluice("llmgateways")
        case .backend: .sluice("llmbackends")
        case .route: .sluice("llmroutes")
        case .consumer: .sluice("llmconsumers")
        case .guardPolicy: .sluice("llmguardpolicies")
        case .secret: .secrets
        }
    }

    /// The CRDs (every kind but Secret): the resources with a status the controller writes.
    package static let crds: [ResourceKind] = [.gateway, .backend, .route, .consumer, .guardPolicy]

    /// The kind of an object with this `apiVersion` and `kind`, if it is one we read.
    package init?(apiVersion: String?, kind: String?) {
        guard let kind, let match = ResourceKind(rawValue: kind), match.apiVersion == apiVersion else { return nil }
        self = match
    }

    package static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One resource's identity: kind, namespace and name.
package struct ResourceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var kind: ResourceKind
    package var namespace: String
    package var name: String

    package init(_ kind: ResourceKind, _ namespace: String, _ name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    package static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.namespace, lhs.kind, lhs.name) < (rhs.namespace, rhs.kind, rhs.name)
    }

    /// `LLMRoute chat/gray`.
    package var description: String { "\(kind.kind) \(namespace)/\(name)" }
}
