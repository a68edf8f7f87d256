import Glibc

/// The egress proxy the process environment names (`https_proxy`, `no_proxy`…), read once.
///
/// libcurl reads these variables itself on every transfer when no proxy option is set: up to
/// six `getenv` scans of the environment per request. The sidecar reads them once, with
/// libcurl's own rules, and gives libcurl the result on every transfer (`CURLOPT_PROXY`,
/// `CURLOPT_NOPROXY`), so libcurl never looks again. Behaviour is unchanged: the same variable
/// wins, and libcurl still applies the `no_proxy` list to each host.
///
/// An immutable value; `process` is read at first use, before any transfer starts.
struct EgressProxyEnvironment: Sendable, Equatable {
    /// The proxy for `http://` URLs, or "" for none (`UpstreamRequest.usesTLS` tells which applies).
    let http: String
    /// The proxy for `https://` URLs, or "" for none.
    let https: String
    /// Hosts reached directly (libcurl's `no_proxy` syntax), or "" for none.
    let noProxy: String

    /// The process's environment, read once.
    static let process = EgressProxyEnvironment { name in getenv(name).map { String(cString: $0) } }

    /// Reads the variables through `lookup` (nil: not set), in libcurl 7.88's order: the
    /// scheme's lowercase variable, then its uppercase one except `HTTP_PROXY` (a request header
    /// `Proxy:` becomes that variable in CGI programs, so libcurl ignores it), then `all_proxy`
    /// and `ALL_PROXY`. A variable that is set, even to "", ends the search, as in libcurl.
    init(lookup: (String) -> String?) {
        func first(_ names: String...) -> String {
            for name in names { if let value = lookup(name) { return value } }
            return ""
        }
        http = first("http_proxy", "all_proxy", "ALL_PROXY")
        https = first("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
        noProxy = first("no_proxy", "NO_PROXY")
    }
}
