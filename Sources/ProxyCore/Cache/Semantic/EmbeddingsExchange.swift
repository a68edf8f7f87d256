/// The semantic tier's call to an OpenAI-compatible `/v1/embeddings`: the request body, and
/// the vector read from the answer.
///
/// Pure; call from any thread.
package enum EmbeddingsExchange {
    /// The largest answer read: 1,536 dimensions written as JSON take about 30 KB.
    package static let maxAnswerBytes = 1 << 20

    /// Why an answer gave no vector (the `kind` label of `sluice_cache_embedding_errors_total`).
    package enum Failure: String, Error, Hashable, Sendable {
        /// The call took longer than the tier's `timeout`.
        case timeout
        /// No connection, or it broke.
        case connect
        /// Another status than 200.
        case status
        /// A 200 without `data[0].embedding` as an array of finite numbers of non-zero length.
        case invalid
    }

    /// `{"input": text, "model": model}`.
    package static func requestBody(text: String, model: String) -> [UInt8] {
        JSONWriter.write(.object(JSONObject([("input", .string(text)), ("model", .string(model))])))
    }

    /// The vector of a 200 answer's first embedding.
    package static func vector(status: Int, body: [UInt8]) -> Result<SemanticVector, Failure> {
        guard status == 200 else { return .failure(.status) }
        guard case .object(let root)? = try? JSONParser.parse(body), case .array(let data)? = root["data"], case .object(let first)? = data.first,
              case .array(let components)? = first["embedding"] else { return .failure(.invalid) }
        var values: [Double] = []
        values.reserveCapacity(components.count)
        for component in components {
            guard case .number(let number) = component, let value = number.double else { return .failure(.invalid) }
            values.append(value)
        }
        guard let vector = SemanticVector(values) else { return .failure(.invalid) }
        return .success(vector)
    }
}
