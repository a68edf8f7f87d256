import CCurl

/// Receives one transfer's body from libcurl's write callback: the whole body for a normal
/// request, or piece by piece for a watch.
///
/// Lives for one `curl_easy_perform` and is touched only by the thread running it, from
/// inside libcurl's callbacks (context passed as an unretained pointer; the transfer keeps
/// the sink alive until perform returns).
final class CurlTransferSink {
    /// Called with each piece of a 2xx body; returns false to abort the transfer.
    typealias StreamReceiver = (UnsafeRawBufferPointer) -> Bool

    private let handle: CurlEasyHandle
    private let receiver: StreamReceiver?
    private let limit: Int
    let cancellation: CancellationFlag?
    /// The body (normal requests), or the body of a non-2xx answer (streams).
    private(set) var body: [UInt8] = []
    private(set) var overflowed = false
    /// Set when the receiver asked to stop (not an error of the transport).
    private(set) var stoppedByReceiver = false

    init(handle: CurlEasyHandle, limit: Int, cancellation: CancellationFlag?, receiver: StreamReceiver?) {
        self.handle = handle
        self.limit = limit
        self.cancellation = cancellation
        self.receiver = receiver
    }

    /// Handles one write callback; false aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if cancellation?.isCancelled == true { return false }
        if let receiver, (200..<300).contains(handle.responseCode) {
            if receiver(bytes) { return true }
            stoppedByReceiver = true
            return false
        }
        guard body.count + bytes.count <= limit else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

/// libcurl's `CURLOPT_WRITEFUNCTION`.
let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    let sink = Unmanaged<CurlTransferSink>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    return sink.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// libcurl's `CURLOPT_XFERINFOFUNCTION`, called at least once a second even on an idle
/// connection: the way a cancelled watch stops while no bytes arrive.
let curlProgressCallback: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { context, _, _, _, _ in
    let sink = Unmanaged<CurlTransferSink>.fromOpaque(context!).takeUnretainedValue()
    return sink.cancellation?.isCancelled == true ? 1 : 0
}
