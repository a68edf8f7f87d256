import ProxyCore

extension HTTPResponseWriter {
    /// Answers with an error in `shape` (OpenAI's by default); see `ClientErrorShape`.
    package func respondWithError(status: Int, code: String, message: String, type: String? = nil,
                                  shape: ClientErrorShape = .openAI, headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.replaceOrAppend(name: "content-type", value: "application/json")
        respond(status: status, headers: headers, body: shape.body(status: status, code: code, message: message, type: type))
    }
}
