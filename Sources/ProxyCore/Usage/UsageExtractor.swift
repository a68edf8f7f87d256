/// Reads token usage from a whole, non-streaming provider response body.
///
/// Pure; call from any thread. One validating pass over the body, no tree, no allocation.
/// Understands the OpenAI-compatible shapes (chat, completions, embeddings; DeepSeek's
/// extra fields) and Anthropic's Messages shape, from the top-level `usage` object:
///
/// | `TokenUsage` | OpenAI-compatible | Anthropic |
/// |---|---|---|
/// | `prompt` | `prompt_tokens` | `input_tokens` + `cache_read_input_tokens` + `cache_creation_input_tokens` |
/// | `completion` | `completion_tokens` (absent for embeddings) | `output_tokens` |
/// | `cached` | `prompt_tokens_details.cached_tokens`, else DeepSeek's `prompt_cache_hit_tokens` | `cache_read_input_tokens` |
/// | `reasoning` | `completion_tokens_details.reasoning_tokens` | — |
///
/// A body that is not a valid JSON object, or has no usable `usage`, gives a usage whose
/// `reported` is false. A number that is negative, fractional or too large counts as absent.
package enum UsageExtractor {
    /// The deepest nesting accepted in a response body or a streamed chunk.
    static let maxDepth = 64

    /// The usage in a complete response body.
    package static func usage(fromBody body: UnsafeRawBufferPointer) -> TokenUsage {
        collect(body)?.usage.tokenUsage ?? TokenUsage()
    }

    /// `usage(fromBody:)` on an array of bytes.
    package static func usage(fromBody body: [UInt8]) -> TokenUsage {
        body.withUnsafeBytes { usage(fromBody: $0) }
    }

    /// Walks one JSON document; nil when it is not valid JSON.
    static func collect(_ json: UnsafeRawBufferPointer) -> UsageFieldCollector? {
        var collector = UsageFieldCollector(buffer: json)
        do {
            try JSONSyntaxWalker.walk(json, maxDepth: maxDepth, visitor: &collector)
        } catch {
            return nil
        }
        return collector
    }
}
