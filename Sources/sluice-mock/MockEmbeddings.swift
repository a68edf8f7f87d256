import ProxyCore

/// Deterministic embeddings: each input's vector comes from an FNV-1a hash of its text,
/// so equal inputs always get equal vectors and tests can compare them.
enum MockEmbeddings {
    static let dimensions = 8

    static func vector(for text: String) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (0..<dimensions).map { _ in
            // xorshift64*, mapped to [-1, 1) with 6 decimal places.
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            let value = Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53)
            return ((value * 2 - 1) * 1_000_000).rounded() / 1_000_000
        }
    }

    static func body(model: String, inputs: [String], promptTokens: Int) -> [UInt8] {
        var out: [UInt8] = Array(#"{"object":"list","data":["#.utf8)
        for (index, input) in inputs.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += #"{"object":"embedding","index":\#(index),"embedding":["#.utf8
            for (position, component) in vector(for: input).enumerated() {
                if position > 0 { out += ",".utf8 }
                JSONWriter.appendDouble(component, to: &out)
            }
            out += "]}".utf8
        }
        out += #"],"model":"#.utf8
        JSONWriter.appendString(model, to: &out)
        out += #","usage":{"prompt_tokens":\#(promptTokens),"total_tokens":\#(promptTokens)}}"#.utf8
        return out
    }
}
