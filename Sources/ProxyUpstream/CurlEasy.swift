import CCurl
import Glibc

/// One libcurl easy handle and the error buffer libcurl writes into, reused across
/// transfers on the same loop (reuse saves ~11 % of libcurl's per-request cost).
///
/// Loop-confined; owned by the loop's `CurlMulti`, lent to one transfer at a time.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
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


