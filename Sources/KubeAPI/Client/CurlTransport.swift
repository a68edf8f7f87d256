import CCurl
import Synchronization

/// Sends requests to one API server with libcurl's easy interface, each transfer on its
/// own thread (`KubeThread`), reusing idle handles so keep-alive connections are reused.
///
/// Safe from any thread or task. Adds the bearer token (read fresh from its source on every
/// request, so a rotated token file is picked up) and the TLS material of the `KubeConfig`.
package final class CurlTransport: Sendable {
    package let config: KubeConfig
    /// Whole-request timeout for non-watch calls.
    package let requestTimeoutMilliseconds: Int
    /// The largest body accepted for a non-watch call (a big list); larger fails as `.decoding`.
    package let maxResponseBytes: Int
    private let idle = Mutex<[CurlEasyHandle]>([])
    private static let maxIdleHandles = 4

    package init(config: KubeConfig, requestTimeoutMilliseconds: Int = 30_000, maxResponseBytes: Int = 256 << 20) {
        self.config = config
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
    }

    /// Performs `request` and returns the whole answer, whatever its status. Throws only
    /// when there is no HTTP answer (`.transport`) or it is too large (`.decoding`).
    package func perform(_ request: KubeHTTPRequest) async throws(KubeError) -> KubeHTTPResponse {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<KubeHTTPResponse, KubeError>, Never>) in
            KubeThread.detach { continuation.resume(returning: self.performBlocking(request)) }
        }
        return try result.get()
    }

    /// Blocking `perform`, on the calling thread. Retries once after a 401 when the token
    /// comes from a file: the file may have rotated since it was last read.
    func performBlocking(_ request: KubeHTTPRequest) -> Result<KubeHTTPResponse, KubeError> {
        let first = transfer(request, timeoutMilliseconds: requestTimeoutMilliseconds, cancellation: nil, receiver: nil)
        if case .success(let response) = first, response.status == 401, let token = config.token, token.path != nil {
            token.invalidate()
            return transfer(request, timeoutMilliseconds: requestTimeoutMilliseconds, cancellation: nil, receiver: nil)
        }
        return first
    }

    /// Blocking streamed transfer (a watch), on the calling thread: each piece of a 2xx body
    /// goes to `receiver` as it arrives; a non-2xx body is collected and returned. Ends when
    /// the server ends the body, the connection fails, `receiver` returns false, or
    /// `cancellation` is set (within about a second).
    func stream(_ request: KubeHTTPRequest, timeoutSeconds: Int?, cancellation: CancellationFlag,
                receiver: CurlTransferSink.StreamReceiver) -> Result<KubeHTTPResponse, KubeError> {
        // The sink stores the receiver only for the duration of this blocking transfer.
        withoutActuallyEscaping(receiver) { receiver in
            transfer(request, timeoutMilliseconds: timeoutSeconds.map { ($0 + 30) * 1000 } ?? 0,
                     cancellation: cancellation, receiver: receiver)
        }
    }

    private func transfer(_ request: KubeHTTPRequest, timeoutMilliseconds: Int, cancellation: CancellationFlag?,
                          receiver: CurlTransferSink.StreamReceiver?) -> Result<KubeHTTPResponse, KubeError> {
        let handle = idle.withLock { $0.popLast() } ?? CurlEasyHandle()
        handle.reset()
        let sink = CurlTransferSink(handle: handle, limit: receiver == nil ? maxResponseBytes : 1 << 20,
                                    cancellation: cancellation, receiver: receiver)
        var headers: UnsafeMutablePointer<curl_slist>?
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        defer {
            curl_slist_free_all(headers)
            errorBuffer.deallocate()
        }
        let code: CURLcode = withExtendedLifetime(sink) {
            let context = Unmanaged.passUnretained(sink).toOpaque()
            handle.set(CURLOPT_URL, config.server + request.path)
            handle.set(CURLOPT_NOSIGNAL, 1)
            handle.set(CURLOPT_TCP_KEEPALIVE, 1)
            handle.set(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            handle.set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
            handle.set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
            _ = sluice_curl_easy_setopt_write(handle.raw, CURLOPT_WRITEFUNCTION, curlWriteCallback)
            handle.set(CURLOPT_WRITEDATA, pointer: context)
            if cancellation != nil {
                // The shim has no typed setter for the progress callback; a C function pointer
                // has the size and representation of a data pointer on every platform we build for.
                handle.set(CURLOPT_XFERINFOFUNCTION, pointer: unsafeBitCast(curlProgressCallback, to: UnsafeRawPointer.self))
                handle.set(CURLOPT_XFERINFODATA, pointer: context)
                handle.set(CURLOPT_NOPROGRESS, 0)
            }
            applyTLS(handle)
            switch request.method {
            case "GET": handle.set(CURLOPT_HTTPGET, 1)
            case "POST": break
            default: handle.set(CURLOPT_CUSTOMREQUEST, request.method)
            }
            if let body = request.body, !body.isEmpty {
                // COPYPOSTFIELDS copies POSTFIELDSIZE bytes, so the array need only live for the call.
                handle.set(CURLOPT_POSTFIELDSIZE, body.count)
                body.withUnsafeBytes { handle.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
            } else if request.method == "POST" {
                handle.set(CURLOPT_POSTFIELDSIZE, 0)
                handle.set(CURLOPT_COPYPOSTFIELDS, "")
            }
            var lines = ["Accept: application/json", "User-Agent: sluice-controller", "Expect:"]
            if let contentType = request.contentType { lines.append("Content-Type: \(contentType)") }
            if let token = config.token?.token() { lines.append("Authorization: Bearer \(token)") }
            for line in lines { headers = curl_slist_append(headers, line) }
            handle.set(CURLOPT_HTTPHEADER, pointer: headers)
            return curl_easy_perform(handle.raw)
        }
        let status = handle.responseCode
        // A handle whose transfer was aborted mid-body may hold a broken connection; libcurl
        // closes such connections itself, so the handle is still fine to reuse.
        idle.withLock { if $0.count < Self.maxIdleHandles { $0.append(handle) } }

        if code == CURLE_OK || (sink.stoppedByReceiver && code == CURLE_WRITE_ERROR) {
            return .success(KubeHTTPResponse(status: status, body: sink.body))
        }
        if cancellation?.isCancelled == true {
            return .failure(KubeError(kind: .cancelled, status: 0, message: "cancelled"))
        }
        if sink.overflowed {
            return .failure(KubeError(kind: .decoding, status: status, message: "response larger than \(maxResponseBytes) bytes"))
        }
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        return .failure(KubeError(kind: .transport, status: 0,
                                  message: "\(request.method) \(request.path): \(detail.isEmpty ? summary : detail) (curl \(code.rawValue))"))
    }

    private func applyTLS(_ handle: CurlEasyHandle) {
        switch config.certificateAuthority {
        case .file(let path)?: handle.set(CURLOPT_CAINFO, path)
        case .pem(let bytes)?: handle.set(CURLOPT_CAINFO_BLOB, blob: bytes)
        case nil: break
        }
        if config.insecureSkipTLSVerify {
            handle.set(CURLOPT_SSL_VERIFYPEER, 0)
            handle.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch config.clientCertificate {
        case .file(let path)?: handle.set(CURLOPT_SSLCERT, path)
        case .pem(let bytes)?: handle.set(CURLOPT_SSLCERT_BLOB, blob: bytes)
        case nil: break
        }
        switch config.clientKey {
        case .file(let path)?: handle.set(CURLOPT_SSLKEY, path)
        case .pem(let bytes)?: handle.set(CURLOPT_SSLKEY_BLOB, blob: bytes)
        case nil: break
        }
    }
}
