import ProxyCore

/// What decides the options a transfer sets only in some cases: the scheme (proxy variables and
/// PIPEWAIT), TLS trust, the method and how the body goes. A handle reused for a transfer with
/// the same profile still holds all of those and every option set once per handle, so it skips
/// `curl_easy_reset` and sets only what changes per request (URL, timeouts, body, header list,
/// the callbacks' userdata); another profile resets it first.
struct CurlEasyProfile: Equatable {
    var usesTLS: Bool
    var caFile: String?
    var insecureSkipVerify: Bool
    var method: HTTPMethod
    /// The body goes from `CURLOPT_POSTFIELDS` (true) or from the read callback.
    var inlineBody: Bool
}
