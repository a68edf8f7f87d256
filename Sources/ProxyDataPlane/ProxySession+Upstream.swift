import ProxyCore
import ProxyHTTPServer
import ProxyUpstream

/// Phase: upstream attempts, and the response phases that run as it streams back.
extension ProxySession: UpstreamTransferDelegate {
    func startAttempt() {
        guard let decision else { return }
        let backend = snapshot.backends[decision.backendIndex]
        attempts += 1
        var headers = HTTPHeaders()
        let connectionNamed = head.headers.contains("connection") ? HopByHop.namedInConnection(head.headers) : []
        for (name, value) in head.headers where !HopByHop.isDroppedFromRequest(name) {
            if !connectionNamed.isEmpty, connectionNamed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            // A trace the app did not start (or sent malformed) is replaced by ours, state and all.
            if !traceFromClient, HTTPHeaders.namesEqual(name, "traceparent") || HTTPHeaders.namesEqual(name, "tracestate") { continue }
            headers.append(name: name, value: value)
        }
        if !traceFromClient { headers.append(name: "traceparent", value: trace.traceparent) }
        if !head.headers.contains("x-request-id") { headers.append(name: "x-request-id", value: requestID) }
        if let credential = backend.credential { headers.append(name: credential.name, value: credential.value) }
        var upstreamBody = body
        if let upstreamModel, upstreamModel != clientModel, let range = modelRange() {
            var quoted: [UInt8] = []
            JSONWriter.appendString(upstreamModel, to: &quoted)
            upstreamBody = JSONBodyRewriter.replacingValue(in: body, at: range, with: quoted)
        }
        let request = UpstreamRequest(method: head.method, url: backend.url(forTarget: Substring(head.target)),
                                      headers: headers, body: upstreamBody, timeouts: backend.timeouts, tls: backend.tls)
        transfer = UpstreamTransfer.start(request, on: context.multi, delegate: self)
    }

    private func modelRange() -> Range<Int>? {
        guard case .success(let ranges) = JSONFieldScanner.scanTopLevel(body, keys: [Array("model".utf8)]) else { return nil }
        return ranges[0]
    }

    // MARK: UpstreamTransferDelegate

    func upstreamResponseHead(status: Int, headers upstreamHeaders: HTTPHeaders) {
        self.status = status
        firstByteAt = context.loop.clock.now()
        var headers = HTTPHeaders()
        var contentLength: Int?
        for (name, value) in upstreamHeaders {
            if HTTPHeaders.namesEqual(name, "content-length") {
                contentLength = Int(value)
                continue
            }
            if HopByHop.isDroppedFromResponse(name) { continue }
            headers.append(name: name, value: value)
        }
        if let contentType = upstreamHeaders.first("content-type") {
            upstreamIsEventStream = contentType.utf8.starts(with: "text/event-stream".utf8)
        }
        if upstreamIsEventStream { contentLength = nil }
        headers.replaceOrAppend(name: "x-request-id", value: requestID)
        if let decision { appendRouteHeaders(to: &headers, decision) }
        response.writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: contentLength)
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard response.isConnected else { return true }
        bytesToClient += bytes.count
        response.writeBody(bytes)
        return response.isWritable
    }

    func responseWritable() {
        transfer?.resume()
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        transfer = nil
        guard let failure else {
            response.finish()
            logging()
            return
        }
        errorCode = "upstream_\(failure.kind)"
        if let decision {
            context.dataPlane.metrics.upstreamErrors.series(labelValues: [decision.backendName, failure.kind]).increment()
        }
        if !response.headSent {
            return fail(failure.isTimeout ? 504 : 502, errorCode!, failure.message)
        }
        if upstreamIsEventStream {
            // After the first byte nothing can be retried: end the stream with an error
            // event in OpenAI's shape and no `[DONE]`, so the client sees the failure.
            var event: [UInt8] = Array("event: error\ndata: ".utf8)
            event += ProxyErrorBody.json(message: failure.message, type: "api_error", code: errorCode!)
            event += Array("\n\n".utf8)
            response.writeBody(event)
            response.finish()
        } else {
            // A body with a declared length cannot be ended honestly short: reset.
            response.resetConnection()
        }
        logging()
    }
}
