import ProxyCore

extension HTTPResponseWriter {
    /// Answers with an error in OpenAI's shape; see `ProxyErrorBody`.
    package func respondWithError(status: Int, code: String, message: String, type: String? = nil,
                                  headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.replaceOrAppend(name: "content-type", value: "application/json")
        let body = ProxyErrorBody.json(message: message, type: type ?? ProxyErrorBody.type(forStatus: status), code: code)
        respond(status: status, headers: headers, body: body)
    }
}
