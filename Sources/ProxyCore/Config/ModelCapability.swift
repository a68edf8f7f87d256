/// One thing a model can do, as the registry declares it (`backends[].modelInfo[m].capabilities`)
/// and as a request needs it (`RequestNeeds`).
package enum ModelCapability: String, CaseIterable, Hashable, Sendable {
    /// Function/tool calling: needed by a request with `tools` (or the legacy `functions`).
    case tools
    /// Image input: needed by a request with image parts.
    case vision
    /// Structured output: needed by a request with a `response_format` other than `text`.
    case json
    /// A reasoning model; never inferred from a request, only required by class rules' tags.
    case reasoning
    /// Declared for large-context models; informational (the context window itself decides fit).
    case longContext = "long-context"

    /// The bit of this capability in a `ModelCapabilities`.
    var bit: UInt8 { UInt8(1) << UInt8(Self.allCases.firstIndex(of: self) ?? 0) }
}

/// A set of `ModelCapability`, as bits (no allocation, unlike an `OptionSet` array literal
/// across modules).
package struct ModelCapabilities: Hashable, Sendable {
    package private(set) var bits: UInt8 = 0

    /// The empty set.
    package init() {}

    /// The set holding `capabilities`.
    package init(_ capabilities: [ModelCapability]) {
        for capability in capabilities { insert(capability) }
    }

    package func contains(_ capability: ModelCapability) -> Bool { bits & capability.bit != 0 }

    package mutating func insert(_ capability: ModelCapability) { bits |= capability.bit }

    /// The members, in `ModelCapability.allCases` order.
    package var members: [ModelCapability] { ModelCapability.allCases.filter(contains) }
}
