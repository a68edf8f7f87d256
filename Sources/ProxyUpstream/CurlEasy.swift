import CCurl
import Glibc

/// One libcurl easy handle, the error buffer libcurl writes into and the request memory libcurl
/// reads from (header lines, a small body), reused across transfers on the same loop (reuse
/// saves ~11 % of libcurl's per-request cost).
///
/// Loop-confined; owned by the loop's `CurlMulti`, lent to one transfer at a time.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    let headerList = CurlHeaderList()
    /// The profile the handle's options were last set for; nil when new or reset.
    private var profile: CurlEasyProfile?
    /// Memory for a body given whole (`CURLOPT_POSTFIELDS`), kept between transfers when small.
    private var inlineBody = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private static let keptInlineBodyBytes = 8 * 1024

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
        inlineBody.deallocate()
    }

    /// Readies the handle for a transfer of `profile`: `.keepsOptions` when it was last set up for
    /// the same profile (only per-request options need setting), else resets it (`.fresh`).
    func adopt(_ profile: CurlEasyProfile) -> CurlEasyReadiness {
        errorBuffer.pointee = 0
        if self.profile == profile { return .keepsOptions }
        if self.profile != nil { curl_easy_reset(handle) }
        self.profile = profile
        return .fresh
    }

    /// Memory for a body of `count` bytes that libcurl reads until the transfer ends.
    func inlineBodyStorage(count: Int) -> UnsafeMutableRawBufferPointer {
        if inlineBody.count < count {
            inlineBody.deallocate()
            inlineBody = .allocate(byteCount: count, alignment: 1)
        }
        return UnsafeMutableRawBufferPointer(rebasing: inlineBody[0..<count])
    }

    /// Gives back request memory above what is kept for the next transfer.
    func trimRequestMemory() {
        if inlineBody.count > Self.keptInlineBodyBytes {
            inlineBody.deallocate()
            inlineBody = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }
    }

    /// libcurl's message for the last failure, or its generic text for `code`.
    func errorMessage(_ code: CURLcode) -> String {
        if errorBuffer.pointee != 0 {
            let length = strnlen(errorBuffer, Int(CURL_ERROR_SIZE))
            return String(decoding: UnsafeRawBufferPointer(start: errorBuffer, count: length), as: UTF8.self)
        }
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: strnlen(text, 256)), as: UTF8.self)
    }

    @inline(__always) func set(_ option: CURLoption, _ value: Int) {
        _ = sluice_curl_easy_setopt_long(handle, option, value)
    }

    @inline(__always) func set(_ option: CURLoption, _ value: String) {
        _ = value.withCString { sluice_curl_easy_setopt_ptr(handle, option, $0) }
    }

    @inline(__always) func set(_ option: CURLoption, pointer: UnsafeRawPointer?) {
        _ = sluice_curl_easy_setopt_ptr(handle, option, pointer)
    }
}



/// Whether a reused handle still holds the options of its last transfer.
enum CurlEasyReadiness {
    /// New or reset: every option must be set.
    case fresh
    /// Set up for the same profile before: only per-request options must be set.
    case keepsOptions
}
