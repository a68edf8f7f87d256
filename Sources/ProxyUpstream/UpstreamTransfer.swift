import CCurl
import Glibc
import ProxyCore
import ProxyIO

/// One attempt to one provider: a libcurl easy handle in the loop's multi, streaming the
/// response to its delegate as it arrives.
///
/// Loop-confined. The multi keeps the transfer alive while its handle is in the multi.
/// The delegate (which owns the transfer) is held strongly until the transfer finishes or is
/// cancelled, which breaks the cycle: a weak reference would give every session a side table
/// and send each retain and release of it down the runtime's slow path. Cancelling never
/// calls libcurl from inside a libcurl callback: it defers to when the outer call returns.
package final class UpstreamTransfer {
    let easy: CurlEasy
    private unowned(unsafe) let multi: CurlMulti  // per-loop, lives as long as the loop
    /// Nil once the transfer finished or was cancelled: the delegate is not called again.
    private var delegate: (any UpstreamTransferDelegate)?
    private let timeouts: UpstreamTimeouts
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var status = 0
    private var headers = HTTPHeaders()
    private var headDelivered = false
    private var paused = false
    private var finished = false
    private var cancelRequested = false
    private var timeoutFailure: UpstreamFailure?
    private var firstByteTimer: LoopTimer?
    private var idleTimer: LoopTimer?
    /// When the provider last sent something. The idle timer is not moved on every chunk (a
    /// stream of thousands of chunks would allocate a timer each); when it fires it checks
    /// this and re-arms for the rest of the interval.
    private var lastActivity = ProxyInstant(nanoseconds: 0)

    private init(easy: CurlEasy, multi: CurlMulti, delegate: any UpstreamTransferDelegate, timeouts: UpstreamTimeouts) {
        self.easy = easy
        self.multi = multi
        self.delegate = delegate
        self.timeouts = timeouts
    }

    /// Prepares `request` on `multi`'s loop; call `start()` once the caller holds the transfer.
    /// Call on that loop. Nil when no handle could be had; the failure then reaches the
    /// delegate on the next loop turn, like any other.
    ///
    /// Two steps, because a transfer can finish inside `start()` (libcurl may send and read a
    /// whole answer on a reused connection at once), and its delegate must already know it.
    package static func make(_ request: UpstreamRequest, on multi: CurlMulti,
                             delegate: any UpstreamTransferDelegate) -> UpstreamTransfer? {
        guard let easy = multi.takeEasy() else {
            multi.loop.schedule(after: .zero) { delegate.upstreamFinished(.connect("could not create a libcurl handle")) }
            return nil
        }
        let transfer = UpstreamTransfer(easy: easy, multi: multi, delegate: delegate, timeouts: request.timeouts)
        transfer.configure(request)
        return transfer
    }

    /// Adds the transfer to the multi. The delegate may be called before this returns.
    package func start() {
        // Timers capture the transfer strongly; `finish()` cancels them, which releases it.
        firstByteTimer = multi.loop.schedule(after: timeouts.firstByte) { [self] in
            timedOut(.firstByteTimeout)
        }
        guard multi.add(self) else {
            finished = true
            firstByteTimer?.cancel()
            releaseHeaders()
            multi.loop.schedule(after: .zero) { [self] in
                let delegate = self.delegate
                self.delegate = nil
                delegate?.upstreamFinished(.connect("libcurl refused the transfer"))
            }
            return
        }
    }

    private func configure(_ request: UpstreamRequest) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        easy.set(CURLOPT_URL, request.url)
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_ERRORBUFFER, pointer: easy.errorBuffer)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // HTTP/2 over TLS when the provider offers it (ALPN), HTTP/1.1 in clear text;
        // PIPEWAIT makes a burst wait for the one multiplexed connection.
        easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        easy.set(CURLOPT_PIPEWAIT, 1)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeouts.connect.milliseconds))
        easy.set(CURLOPT_TIMEOUT_MS, Int(request.timeouts.total.milliseconds))
        easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        if let caFile = request.tls.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if request.tls.insecureSkipVerify {
            easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch request.method {
        case .get:
            easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            easy.set(CURLOPT_NOBODY, 1)
        case .post:
            easy.set(CURLOPT_POST, 1)
        default:
            easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if request.method != .get && request.method != .head {
            _ = sluice_curl_easy_setopt_off(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            // COPYPOSTFIELDS: libcurl owns its copy, so the body's lifetime is not ours to track.
            request.body.withUnsafeBytes { easy.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)) }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        // One line buffer for every field: libcurl copies each line, so it can be reused.
        var line: [CChar] = []
        line.reserveCapacity(256)
        for (name, value) in request.headers {
            line.removeAll(keepingCapacity: true)
            for byte in name.utf8 { line.append(CChar(bitPattern: byte)) }
            line.append(CChar(UInt8(ascii: ":")))
            line.append(CChar(UInt8(ascii: " ")))
            for byte in value.utf8 { line.append(CChar(bitPattern: byte)) }
            line.append(0)
            list = line.withUnsafeBufferPointer { curl_slist_append(list, $0.baseAddress) }
        }
        // libcurl would add `Expect: 100-continue` to large bodies: one round trip for nothing.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        easy.set(CURLOPT_HTTPHEADER, pointer: list)
        _ = sluice_curl_easy_setopt_write(easy.handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        easy.set(CURLOPT_HEADERDATA, pointer: me)
        _ = sluice_curl_easy_setopt_write(easy.handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        easy.set(CURLOPT_WRITEDATA, pointer: me)
    }

    // MARK: Control from the data plane

    /// Resumes a transfer paused by the delegate. libcurl re-delivers the held bytes.
    package func resume() {
        guard paused, !finished else { return }
        multi.whenOutsideCurl { [self] in
            guard paused, !finished else { return }
            paused = false
            resetIdleTimer()
            multi.unpause(easy)
        }
    }

    /// Stops the attempt; the delegate is not called again. Safe from any callback.
    package func cancel() {
        delegate = nil
        guard !finished else { return }
        cancelRequested = true
        multi.whenOutsideCurl { [self] in
            guard !finished else { return }
            finish()
        }
    }

    // MARK: Events

    fileprivate func header(_ line: UnsafeRawBufferPointer) -> Int {
        if cancelRequested { return 0 }
        guard !line.isEmpty else { return 0 }
        if line.count >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
           line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/") {
            // A status line starts a new head (after a 1xx, the final one follows).
            status = Self.statusCode(line) ?? 0
            headers = HTTPHeaders(reservingCapacity: 16)
            return line.count
        }
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end == 0 {
            if status >= 200 && !headDelivered {
                headDelivered = true
                firstByteTimer?.cancel()
                resetIdleTimer()
                delegate?.upstreamResponseHead(status: status, headers: headers)
            }
            return line.count
        }
        if let colon = line[0..<end].firstIndex(of: UInt8(ascii: ":")) {
            var valueStart = colon + 1
            while valueStart < end, line[valueStart] == UInt8(ascii: " ") || line[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
            headers.append(name: String(decoding: line[0..<colon], as: UTF8.self),
                           value: String(decoding: line[valueStart..<end], as: UTF8.self))
        }
        return line.count
    }

    fileprivate func body(_ bytes: UnsafeRawBufferPointer) -> Int {
        if cancelRequested { return 0 }  // aborts the transfer with CURLE_WRITE_ERROR
        resetIdleTimer()
        guard let delegate else { return 0 }
        if delegate.upstreamBody(bytes) { return bytes.count }
        paused = true
        idleTimer?.cancel()  // a paused transfer is waiting on our client, not on the provider
        return sluice_curl_writefunc_pause()
    }

    /// Called by the multi when libcurl reports the transfer done.
    func completed(_ code: CURLcode) {
        guard !finished else { return }
        let failure: UpstreamFailure? = cancelRequested ? .cancelled : (timeoutFailure ?? translate(code))
        let delegate = self.delegate
        finish()
        if failure != .cancelled { delegate?.upstreamFinished(failure) }
    }

    private func timedOut(_ failure: UpstreamFailure) {
        guard !finished else { return }
        timeoutFailure = failure
        multi.whenOutsideCurl { [self] in
            guard !finished else { return }
            let delegate = self.delegate
            finish()
            delegate?.upstreamFinished(failure)
        }
    }

    private func resetIdleTimer() {
        guard headDelivered, !finished else { return }
        lastActivity = multi.loop.clock.now()
        if idleTimer?.isPending == true { return }
        armIdleTimer(at: lastActivity.advanced(by: timeouts.idle))
    }

    private func armIdleTimer(at deadline: ProxyInstant) {
        idleTimer = multi.loop.schedule(at: deadline) { [self] in
            guard !finished, !paused else { return }
            let due = lastActivity.advanced(by: timeouts.idle)
            if multi.loop.clock.now() >= due {
                timedOut(.idleTimeout)
            } else {
                armIdleTimer(at: due)
            }
        }
    }

    private func finish() {
        finished = true
        delegate = nil
        firstByteTimer?.cancel()
        idleTimer?.cancel()
        multi.remove(self)
        releaseHeaders()
    }

    private func releaseHeaders() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    private func translate(_ code: CURLcode) -> UpstreamFailure? {
        switch code {
        case CURLE_OK:
            return nil
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connect(easy.errorMessage(code))
        case CURLE_OPERATION_TIMEDOUT:
            var connectTime: Int = 0
            _ = sluice_curl_easy_getinfo_long(easy.handle, CURLINFO_CONNECT_TIME_T, &connectTime)
            return connectTime == 0 && status == 0 ? .connectTimeout : .totalTimeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .tls(easy.errorMessage(code))
        default:
            return .broken(easy.errorMessage(code))
        }
    }

    /// The three digits after `HTTP/x[.y] `.
    private static func statusCode(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let space = line.firstIndex(of: UInt8(ascii: " ")), space + 3 < line.count else { return nil }
        var code = 0
        for index in (space + 1)...(space + 3) {
            guard line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") else { return nil }
            code = code * 10 + Int(line[index] - UInt8(ascii: "0"))
        }
        return code
    }
}

private let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.header(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.body(UnsafeRawBufferPointer(start: data, count: size * count))
}
