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
    /// The request body, read by libcurl through `upload(into:)` as it sends: never copied
    /// whole (COPYPOSTFIELDS would keep a second copy of every multi-megabyte body).
    private var uploadBody: [UInt8] = []
    /// libcurl 7.88 sends a POSTFIELDS body under 64 KiB in the same `send` as the head
    /// (`MAX_INITIAL_POST_SIZE`); a bigger one is streamed from the read callback.
    static let inlineBodyLimit = 64 * 1024
    private var uploadOffset = 0
    private var headReader = HTTPResponseHeadReader()
    private var headers = HTTPHeaders()
    private var headDelivered = false
    /// Why the response was refused while its head arrived; the transfer was aborted for it.
    private var invalidResponse: UpstreamFailure?
    /// Masks the backend's key in header values (nil without one).
    private let secretMasker: SecretMasker?
    /// Masks it in the body too, once a non-2xx head has arrived; its state advances only
    /// with bytes the delegate took.
    private var bodyMasker: SecretMasker?
    /// The masker's last held-back bytes, refused by the delegate after the transfer ended:
    /// offered again on `resume()`, then the delegate hears that the transfer finished.
    private var pendingTail: [UInt8]?
    private var paused = false
    private var finished = false
    private var cancelRequested = false
    private var timeoutFailure: UpstreamFailure?
    /// The first-byte timeout until the head arrives, then the idle timeout between chunks: one
    /// re-armable timer for the transfer's life (nil before `start()`).
    private var timer: LoopTimer?
    /// When the provider last sent something. The idle timer is not moved on every chunk (a
    /// stream of thousands of chunks would allocate a timer each); when it fires it checks
    /// this and re-arms for the rest of the interval.
    private var lastActivity = ProxyInstant(nanoseconds: 0)

    private init(easy: CurlEasy, multi: CurlMulti, delegate: any UpstreamTransferDelegate, request: UpstreamRequest) {
        self.easy = easy
        self.multi = multi
        self.delegate = delegate
        self.timeouts = request.timeouts
        self.secretMasker = request.secretMasker
    }

    deinit { timer?.cancel() }

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
        let transfer = UpstreamTransfer(easy: easy, multi: multi, delegate: delegate, request: request)
        if let refused = transfer.configure(request) {
            transfer.releaseRequest()
            multi.loop.schedule(after: .zero) { delegate.upstreamFinished(.connect(refused)) }
            return nil
        }
        return transfer
    }

    /// Adds the transfer to the multi. The delegate may be called before this returns.
    package func start() {
        // `unowned`: the multi holds the transfer while it runs, and `finish()` (or `deinit`)
        // takes the timer out of the loop's heap, so it never fires for a transfer that is gone.
        let timer = multi.loop.makeTimer { [unowned self] in timerFired() }
        self.timer = timer
        multi.loop.arm(timer, at: multi.loop.clock.now().advanced(by: timeouts.firstByte))
        guard multi.add(self) else {
            finished = true
            timer.cancel()
            releaseRequest()
            multi.loop.schedule(after: .zero) { [self] in
                let delegate = self.delegate
                self.delegate = nil
                delegate?.upstreamFinished(.connect("libcurl refused the transfer"))
            }
            return
        }
    }

    /// Sets the handle up for `request`; returns why it must not be sent, if it must not.
    private func configure(_ request: UpstreamRequest) -> String? {
        let me = Unmanaged.passUnretained(self).toOpaque()
        let usesTLS = request.usesTLS
        let inline = request.body.count < Self.inlineBodyLimit
        let profile = CurlEasyProfile(usesTLS: usesTLS, caFile: request.tls.caFile,
                                      insecureSkipVerify: request.tls.insecureSkipVerify,
                                      method: request.method, inlineBody: inline)
        if easy.adopt(profile) == .fresh { configureOnce(request, profile: profile) }
        easy.set(CURLOPT_URL, request.url)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeouts.connect.milliseconds))
        easy.set(CURLOPT_TIMEOUT_MS, Int(request.timeouts.total.milliseconds))
        switch request.method {
        case .get, .head:
            break
        default:
            uploadOffset = 0
            _ = sluice_curl_easy_setopt_off(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if inline {
                // libcurl appends a body this small to the request head and sends both with one
                // `send`; from POSTFIELDS only, which must stay valid for the whole transfer (a
                // reused connection that died is sent again): a copy in memory the handle keeps.
                let copy = easy.inlineBodyStorage(count: max(request.body.count, 1))
                request.body.withUnsafeBytes { copy.copyMemory(from: $0) }
                easy.set(CURLOPT_POSTFIELDS, pointer: copy.baseAddress)
            } else {
                // Larger bodies are read from the callback as libcurl sends: never copied whole.
                uploadBody = request.body
                easy.set(CURLOPT_READDATA, pointer: me)
                easy.set(CURLOPT_SEEKDATA, pointer: me)
            }
        }
        let list = easy.headerList
        var bytes = CurlHeaderList.bytes("Expect:") + CurlHeaderList.bytes("Content-Type:")
        for (name, value) in request.headers { bytes += CurlHeaderList.bytes(name: name, value: value) }
        list.removeAll(reservingBytes: bytes, lines: request.headers.count + 2)
        var hasContentType = false
        for (name, value) in request.headers {
            // libcurl sends each line as it is: a CR or LF would start a header of its own (and a
            // NUL would cut this one short). Nothing upstream lets one through; this is the last
            // place it could still be stopped, so the request is not sent at all.
            guard list.append(name: name, value: value) else {
                return "the header \"\(name.prefix(64))\" holds a CR, LF, NUL or other control byte; the request was not sent"
            }
            if name.utf8.count == 12, HTTPHeaders.namesEqual(name, "content-type") { hasContentType = true }
        }
        // libcurl would add `Expect: 100-continue` to large bodies: one round trip for nothing.
        list.append("Expect:")
        // …and `Content-Type: application/x-www-form-urlencoded` to any request with a body it
        // sends from POSTFIELDS: the provider must see the client's content type or none.
        if !hasContentType { list.append("Content-Type:") }
        easy.set(CURLOPT_HTTPHEADER, pointer: list.head)
        easy.set(CURLOPT_HEADERDATA, pointer: me)
        easy.set(CURLOPT_WRITEDATA, pointer: me)
        return nil
    }

    /// The options a handle keeps while it serves transfers of one profile.
    private func configureOnce(_ request: UpstreamRequest, profile: CurlEasyProfile) {
        // The data plane sends a path it has normalised and routed (`RequestPath`); libcurl must
        // not normalise it again on its own terms.
        easy.set(CURLOPT_PATH_AS_IS, 1)
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_ERRORBUFFER, pointer: easy.errorBuffer)
        multi.trackSockets(of: easy)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Set even when empty: an unset option makes libcurl read the environment again.
        let egress = EgressProxyEnvironment.process
        easy.set(CURLOPT_PROXY, profile.usesTLS ? egress.https : egress.http)
        easy.set(CURLOPT_NOPROXY, egress.noProxy)
        // HTTP/2 over TLS when the provider offers it (ALPN), HTTP/1.1 in clear text.
        // PIPEWAIT makes a burst wait for the one multiplexed connection — only where one can
        // come: while a fresh clear-text backend's first connection is unproven, libcurl would
        // hold every other transfer back and let them go one per finished transfer (7.88), so a
        // burst of first requests ran one after another.
        easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        easy.set(CURLOPT_PIPEWAIT, profile.usesTLS ? 1 : 0)
        easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        if let caFile = profile.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if profile.insecureSkipVerify {
            easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch profile.method {
        case .get:
            easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            easy.set(CURLOPT_NOBODY, 1)
        default:
            // Other methods than POST keep their name.
            easy.set(CURLOPT_POST, 1)
            if profile.method != .post { easy.set(CURLOPT_CUSTOMREQUEST, profile.method.rawValue) }
            if !profile.inlineBody {
                _ = sluice_curl_easy_setopt_write(easy.handle, CURLOPT_READFUNCTION, curlReadCallback)
                // libcurl rewinds when it must send the request again (a reused connection that died).
                _ = sluice_curl_easy_setopt_seek(easy.handle, curlSeekCallback)
            }
        }
        _ = sluice_curl_easy_setopt_write(easy.handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = sluice_curl_easy_setopt_write(easy.handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
    }

    // MARK: Control from the data plane

    /// Resumes a transfer paused by the delegate. libcurl re-delivers the held bytes.
    package func resume() {
        if finished, pendingTail != nil { return offerPendingTail() }
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
        pendingTail = nil
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
        if headDelivered { return line.count }  // trailers: not passed on
        switch headReader.read(line) {
        case .failure(let invalid):
            // Returning a short count makes libcurl abort the transfer (CURLE_WRITE_ERROR).
            invalidResponse = .invalidResponse(invalid.message)
            return 0
        case .success(.status):
            headers = HTTPHeaders(reservingCapacity: 16)
        case .success(.field(let name, let value)):
            var text = HTTPHeaders.fieldString(UnsafeRawBufferPointer(rebasing: line[value]))
            if let secretMasker { text = secretMasker.masking(text) }
            headers.append(name: HTTPHeaders.fieldString(UnsafeRawBufferPointer(rebasing: line[name])), value: text)
        case .success(.ignored):
            break
        case .success(.end(let status)):
            guard status >= 200 else { break }  // an interim 1xx head: the final one follows
            headDelivered = true
            // From here the timer counts the idle time between chunks.
            lastActivity = multi.loop.clock.now()
            if let timer { multi.loop.arm(timer, at: lastActivity.advanced(by: timeouts.idle)) }
            // Fields the provider's `Connection` names are for this hop only (RFC 9110 §7.6.1).
            headers.removeConnectionOptions()
            if !(200..<300).contains(status) { bodyMasker = secretMasker }
            delegate?.upstreamResponseHead(status: status, headers: headers)
        }
        return line.count
    }

    fileprivate func body(_ bytes: UnsafeRawBufferPointer) -> Int {
        if cancelRequested { return 0 }  // aborts the transfer with CURLE_WRITE_ERROR
        resetIdleTimer()
        guard let delegate else { return 0 }
        if var masker = bodyMasker {
            // Only non-2xx bodies (small errors) come here. The masker's state is committed only
            // when the delegate takes the output: paused bytes are offered again on resume.
            var masked: [UInt8] = []
            masker.feed(bytes) { masked.append(contentsOf: $0) }
            if masked.withUnsafeBytes({ $0.isEmpty || delegate.upstreamBody($0) == .accepted }) {
                bodyMasker = masker
                return bytes.count
            }
        } else if delegate.upstreamBody(bytes) == .accepted {
            return bytes.count
        }
        paused = true
        timer?.cancel()  // a paused transfer is waiting on our client, not on the provider
        return sluice_curl_writefunc_pause()
    }

    /// Copies the next part of the request body into libcurl's buffer.
    fileprivate func upload(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, uploadBody.count - uploadOffset)
        guard count > 0 else { return 0 }
        uploadBody.withUnsafeBytes { body in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: body[uploadOffset..<(uploadOffset + count)]))
        }
        uploadOffset += count
        return count
    }

    /// Moves the body's read position (libcurl sends the request again from `offset`).
    fileprivate func seekUpload(to offset: Int, origin: Int32) -> Bool {
        guard origin == SEEK_SET, offset >= 0, offset <= uploadBody.count else { return false }
        uploadOffset = offset
        return true
    }

    /// Called by the multi when libcurl reports the transfer done.
    func completed(_ code: CURLcode) {
        guard !finished else { return }
        let failure: UpstreamFailure? = cancelRequested ? .cancelled : (timeoutFailure ?? invalidResponse ?? translate(code))
        let delegate = self.delegate
        finish()
        guard failure != .cancelled else { return }
        if failure == nil, var masker = bodyMasker, masker.isHolding {
            // The body ended on bytes that began like the key but were not it: they go out now.
            var tail: [UInt8] = []
            masker.finish { tail.append(contentsOf: $0) }
            bodyMasker = nil
            pendingTail = tail
            self.delegate = delegate
            return offerPendingTail()
        }
        delegate?.upstreamFinished(failure)
    }

    /// Offers the masker's last bytes; once taken, the delegate hears that the transfer finished.
    private func offerPendingTail() {
        guard let tail = pendingTail, let delegate else { return }
        guard tail.withUnsafeBytes({ delegate.upstreamBody($0) }) == .accepted else { return }
        pendingTail = nil
        self.delegate = nil
        delegate.upstreamFinished(nil)
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
        guard headDelivered, !finished, let timer else { return }
        lastActivity = multi.loop.clock.now()
        if timer.isPending { return }
        multi.loop.arm(timer, at: lastActivity.advanced(by: timeouts.idle))
    }

    private func timerFired() {
        guard !finished else { return }
        guard headDelivered else { return timedOut(.firstByteTimeout) }
        guard !paused else { return }
        let due = lastActivity.advanced(by: timeouts.idle)
        if multi.loop.clock.now() >= due {
            timedOut(.idleTimeout)
        } else if let timer {
            multi.loop.arm(timer, at: due)
        }
    }

    private func finish() {
        finished = true
        uploadBody = []
        delegate = nil
        timer?.cancel()
        multi.remove(self)
        releaseRequest()
    }

    /// Gives back the request memory the handle keeps above its usual size.
    fileprivate func releaseRequest() {
        easy.trimRequestMemory()
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
            return connectTime == 0 && !headDelivered ? .connectTimeout : .totalTimeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .tls(easy.errorMessage(code))
        case CURLE_WEIRD_SERVER_REPLY:
            return .invalidResponse(easy.errorMessage(code))
        case CURLE_OUT_OF_MEMORY where !headDelivered:
            // libcurl refuses a single header line over 100 KiB (before our own limit sees it)
            // and reports it as out of memory.
            return .invalidResponse("a header field of the response is larger than libcurl's limit of 100 KiB")
        default:
            return .broken(easy.errorMessage(code))
        }
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

private let curlReadCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, userdata in
    guard let userdata, let data else { return 0 }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.upload(into: UnsafeMutableRawBufferPointer(start: data, count: size * count))
}

private let curlSeekCallback: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, Int32) -> Int32 = {
    userdata, offset, origin in
    guard let userdata else { return sluice_curl_seekfunc_fail() }
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.seekUpload(to: Int(offset), origin: origin) ? sluice_curl_seekfunc_ok() : sluice_curl_seekfunc_fail()
}
