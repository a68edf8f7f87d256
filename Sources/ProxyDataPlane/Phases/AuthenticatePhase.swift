import ProxyCore

/// Phase 2, authenticate: the consumer from the key the request presents (`Authorization:
/// Bearer`, `x-api-key` or `api-key`), found by its SHA-256 digest among the snapshot's
/// consumers. The key itself goes no further: those headers are never forwarded upstream
/// (`HopByHop.isDroppedFromRequest`), the backend's own credential is sent instead.
enum AuthenticatePhase {
    static func run(head: HTTPRequestHead, consumers: ConsumerTable, context: inout RequestContext) -> PhaseResult {
        // Without consumers the headers are not even looked at: the request costs nothing more.
        guard !consumers.consumers.isEmpty else { return .next }
        switch consumers.authenticate(key: PresentedKey.find(in: head.headers)) {
        case .anonymous:
            return .next
        case .consumer(let index):
            context.consumer = index
            context.consumerName = consumers.consumers[index].name
            return .next
        case .refused(let failure):
            let message = switch failure {
            case .missingKey: "this gateway needs an API key: send it as \"Authorization: Bearer <key>\""
            case .unknownKey: "the API key is not valid for this gateway"
            }
            return .answer(LocalAnswer(status: 401, code: "invalid_api_key", message: message))
        }
    }
}
