import ProxyCore

extension KubeClient {
    /// Watches a collection path (`/api/v1/namespaces/ns/configmaps`), delivering each event
    /// to `onEvent` as soon as its line is complete, until the stream ends.
    ///
    /// `onEvent` runs on the watch's own thread, in stream order, one call at a time; it
    /// must not block for long. `BOOKMARK` events are delivered (they carry the
    /// resourceVersion to resume from); `ERROR` events end the watch: code 410 as `.gone`,
    /// anything else as `.failed`. Cancelling the calling task ends it as `.cancelled`
    /// (within about a second).
    package func watch(
        path: String, resourceVersion: String?, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 300,
        labelSelector: String? = nil, onEvent: @escaping @Sendable (WatchEvent) -> Void
    ) async -> WatchOutcome {
        var query = "?watch=1"
        if let resourceVersion { query += "&resourceVersion=" + PercentEncoding.queryValue(resourceVersion) }
        if allowWatchBookmarks { query += "&allowWatchBookmarks=true" }
        if let timeoutSeconds { query += "&timeoutSeconds=\(timeoutSeconds)" }
        if let labelSelector { query += "&labelSelector=" + PercentEncoding.queryValue(labelSelector) }
        let request = KubeHTTPRequest(method: "GET", path: path + query)
        let cancellation = CancellationFlag()
        let transport = self.transport
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WatchOutcome, Never>) in
                KubeThread.detach {
                    continuation.resume(returning: Self.runWatch(request, transport: transport, timeoutSeconds: timeoutSeconds,
                                                                 cancellation: cancellation, onEvent: onEvent))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Watches one resource's collection (`namespace` nil: all namespaces).
    package func watch(
        _ resource: KubeResource, namespace: String?, resourceVersion: String?, allowWatchBookmarks: Bool = true,
        timeoutSeconds: Int? = 300, labelSelector: String? = nil, onEvent: @escaping @Sendable (WatchEvent) -> Void
    ) async -> WatchOutcome {
        await watch(path: resource.path(namespace: namespace), resourceVersion: resourceVersion, allowWatchBookmarks: allowWatchBookmarks,
                    timeoutSeconds: timeoutSeconds, labelSelector: labelSelector, onEvent: onEvent)
    }

    /// The blocking body of a watch, on its own thread.
    private static func runWatch(_ request: KubeHTTPRequest, transport: CurlTransport, timeoutSeconds: Int?,
                                 cancellation: CancellationFlag, onEvent: (WatchEvent) -> Void) -> WatchOutcome {
        if cancellation.isCancelled { return .cancelled }
        var decoder = WatchEventDecoder()
        var errorEvent: WatchEvent?
        var decodeError: WatchDecodeError?
        let result = transport.stream(request, timeoutSeconds: timeoutSeconds, cancellation: cancellation) { bytes in
            do throws(WatchDecodeError) {
                try decoder.feed(bytes) { event in
                    guard errorEvent == nil else { return }
                    if event.kind == .error { errorEvent = event } else { onEvent(event) }
                }
            } catch {
                decodeError = error
                return false
            }
            return errorEvent == nil
        }
        if let errorEvent {
            let error = KubeError(statusObject: errorEvent.object)
            return error.kind == .gone ? .gone(error) : .failed(error)
        }
        if let decodeError {
            return .failed(KubeError(kind: .decoding, status: 200, message: "\(request.path): \(decodeError)"))
        }
        switch result {
        case .failure(let error):
            return error.kind == .cancelled ? .cancelled : .failed(error)
        case .success(let response):
            guard (200..<300).contains(response.status) else {
                let error = KubeError(status: response.status, body: response.body)
                return error.kind == .gone ? .gone(error) : .failed(error)
            }
            if decoder.bufferedByteCount > 0 {
                return .failed(KubeError(kind: .transport, status: 0, message: "\(request.path): stream ended mid-event"))
            }
            return .ended
        }
    }
}
