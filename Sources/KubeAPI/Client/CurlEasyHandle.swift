import CCurl

/// Owns one libcurl easy handle (`CURL*`) and sets its options.
///
/// `@unchecked Sendable` invariant: a handle is used by one thread at a time. It is either
/// idle in `CurlTransport`'s pool (behind a `Mutex`) or checked out by exactly one transfer
/// thread, which returns it to the pool only after `curl_easy_perform` has returned.
final class CurlEasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    /// Runs `curl_global_init` once, before the first handle, from whichever thread gets there
    /// first (Swift's lazy statics are initialised exactly once, thread-safely).
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    init() {
        precondition(Self.globalInit, "curl_global_init failed")
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        raw = handle
    }

    deinit { curl_easy_cleanup(raw) }

    /// Clears every option but keeps the connection cache (keep-alive reuse).
    func reset() { curl_easy_reset(raw) }

    func set(_ option: CURLoption, _ value: Int) {
        _ = sluice_curl_easy_setopt_long(raw, option, value)
    }

    /// Strings are copied by libcurl (since 7.17), so the pointer need only live for the call.
    func set(_ option: CURLoption, _ value: String) {
        _ = value.withCString { sluice_curl_easy_setopt_ptr(raw, option, $0) }
    }

    func set(_ option: CURLoption, pointer: UnsafeRawPointer?) {
        _ = sluice_curl_easy_setopt_ptr(raw, option, pointer)
    }

    /// A `*_BLOB` option; `CURL_BLOB_COPY` makes libcurl keep its own copy of the bytes.
    func set(_ option: CURLoption, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: buffer.baseAddress), len: buffer.count,
                                 flags: UInt32(CURL_BLOB_COPY))
            _ = withUnsafePointer(to: &blob) { sluice_curl_easy_setopt_ptr(raw, option, $0) }
        }
    }

    /// `CURLINFO_RESPONSE_CODE`: the last status received, 0 before any.
    var responseCode: Int {
        var code = 0
        _ = sluice_curl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
}
