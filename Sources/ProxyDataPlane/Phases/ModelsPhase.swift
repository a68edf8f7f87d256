import ProxyCore

/// `GET /v1/models` and `GET /v1/models/{id}`, answered from the snapshot's `ModelCatalog`
/// (after authenticate, so a consumer sees the models its `allowedModels` allow, and nothing
/// goes upstream). OpenAI's list shape, or Anthropic's, paged as its API defines, for clients
/// that send `anthropic-version`.
enum ModelsPhase {
    static let listPath: Substring = "/v1/models"

    /// Whether `head` asks for the model list or one model.
    static func applies(to head: HTTPRequestHead) -> Bool {
        head.method == .get && (head.path == listPath || head.path.hasPrefix("/v1/models/"))
    }

    /// Answers through `respond(status, body)`; 404 `model_not_found` for a model no route serves
    /// (or the consumer may not use).
    static func run(head: HTTPRequestHead, catalog: ModelCatalog, consumers: ConsumerTable, context: RequestContext,
                    respond: (Int, [UInt8]) -> Void) -> PhaseResult {
        let shape: ModelCatalog.Shape = head.headers.contains("anthropic-version") ? .anthropic : .openAI
        let allowed = { (model: String) in context.consumer.map { consumers.allows($0, model: model) } ?? true }
        guard head.path != listPath else {
            do throws(ModelPageError) {
                // Anthropic's paging; OpenAI's list has none, so its query is not read.
                let page = shape == .anthropic ? try ModelPageRequest(query: head.query) : ModelPageRequest()
                respond(200, try catalog.list(shape, page: page, allowed: allowed))
                return .answered(status: 200)
            } catch {
                return .answer(LocalAnswer(status: 400, code: "invalid_page", message: error.message))
            }
        }
        let model = String(head.path.dropFirst(listPath.count + 1))
        guard catalog.contains(model), allowed(model) else {
            return .answer(LocalAnswer(status: 404, code: "model_not_found", message: "no route serves model \"\(model)\""))
        }
        respond(200, JSONWriter.write(ModelCatalog.entry(model, shape)))
        return .answered(status: 200)
    }
}
