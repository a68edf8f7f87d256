import Glibc

/// Runs blocking libcurl transfers off Swift's cooperative pool.
///
/// A blocking `curl_easy_perform` must not sit on the cooperative pool (it has as many
/// threads as cores: two watches would starve every task), so each transfer gets its own
/// short-lived detached thread. The control plane makes a handful of calls a second at
/// most and holds a few long watches, so a thread per call costs nothing that matters.
enum KubeThread {
    /// Starts `body` on a new detached thread.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            // The one takeRetainedValue that balances passRetained above.
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }
}

private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
