import ProxyCore

/// Deterministic embeddings: each input's vector comes from an FNV-1a hash of its text,
/// so equal inputs always get equal vectors and tests can compare them. An input that holds
/// `vec:` followed by comma-separated numbers (`"vec:1,0.2,0"`, anywhere in the text, up to the
/// first character that is not part of the list) gets exactly that vector, so tests can build
/// near and far neighbours.
enum MockEmbeddings {
    static let dimensions = 8

    static func vector(for text: String) -> [Double] {
        if let chosen = chosenVector(in: text) { return chosen }
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

    /// The numbers after `vec:`, when there are any and all of them parse.
    private static func chosenVector(in text: String) -> [Double]? {
        let bytes = Array(text.utf8)
        let marker = Array("vec:".utf8)
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: marker) }) else { return nil }
        let list = bytes[(start + marker.count)...].prefix { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || ",.-+e".utf8.contains(byte)
        }
        let items = list.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        let values = items.compactMap { Double(String(decoding: $0, as: UTF8.self)) }
        guard !values.isEmpty, values.count == items.count else { return nil }
        return values
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
