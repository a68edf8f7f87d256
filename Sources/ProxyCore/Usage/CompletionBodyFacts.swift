/// What the proxy reads from a whole non-streamed completion body before passing it on: the
/// usage it reports and whether it stopped at the token limit. One walk over the body gives
/// both; reading them apart walked the body twice. Nesting is allowed to 128 levels, the
/// truncation detector's limit (the usage extractor alone stops at 64).
package struct CompletionBodyFacts: Hashable, Sendable {
    /// As `UsageExtractor.usage(fromBody:)` reads it (empty when the body is not JSON).
    package var usage: TokenUsage
    /// As `TruncationDetector.verdict(body:clientSetMaxTokens:)` decides it.
    package var truncation: TruncationVerdict

    package init(body: UnsafeRawBufferPointer, clientSetMaxTokens: Bool) {
        var pair = JSONVisitorPair(first: UsageFieldCollector(buffer: body), second: FinishReasonCollector(buffer: body))
        do {
            try JSONSyntaxWalker.walk(body, maxDepth: 128, visitor: &pair)
        } catch {
            self.init(usage: TokenUsage(), truncation: .complete)
            return
        }
        self.init(usage: pair.first.usage.tokenUsage,
                  truncation: pair.second.stoppedAtTokenLimit && !clientSetMaxTokens ? .tokenLimit : .complete)
    }

    package init(body: [UInt8], clientSetMaxTokens: Bool) {
        self = body.withUnsafeBytes { CompletionBodyFacts(body: $0, clientSetMaxTokens: clientSetMaxTokens) }
    }

    package init(usage: TokenUsage, truncation: TruncationVerdict) {
        self.usage = usage
        self.truncation = truncation
    }
}
