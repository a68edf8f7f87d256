/// The token estimates reserved at admission and charged while a stream flows, before the
/// provider reports real usage. Deliberately simple and cheap: about four bytes of UTF-8 text
/// per token (OpenAI's rule of thumb for English), rounded up.
package enum TokenEstimate {
    /// Input tokens of a request body of `bodyBytes` bytes: the whole JSON body counts, so
    /// its syntax makes the estimate a little high rather than low.
    package static func prompt(bodyBytes: Int) -> Int { (bodyBytes + 3) / 4 }

    /// Output tokens reserved: the client's `max_completion_tokens`/`max_tokens` when it set
    /// a positive one, else the consumer's `estimatedOutputTokens`.
    package static func completion(maxTokens: Int?, default fallback: Int) -> Int {
        guard let maxTokens, maxTokens > 0 else { return fallback }
        return min(maxTokens, ConsumerQuotas.maxTokens)
    }

    /// Output tokens of `textBytes` bytes of generated text.
    package static func tokens(textBytes: Int) -> Int { (textBytes + 3) / 4 }
}
