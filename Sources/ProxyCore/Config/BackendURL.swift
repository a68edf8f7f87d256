/// A backend's base URL: `http` or `https`, a host, an optional port and path; no user
/// info (secrets are never inline), no query, no fragment.
package struct BackendURL: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`.
    package enum Scheme: String, Hashable, Sendable {
        case http, https
    }

    /// Why a string is not a backend URL; the decoder turns it into a message.
    package enum Problem: Error, Hashable, Sendable {
        /// Not `http(s)://host…` at all.
        case malformed
        /// `user:password@` before the host.
        case userInfo
        /// A `?query` or `#fragment`.
        case queryOrFragment
        /// A path `RequestPath` would rewrite or refuse (`.` or `..` segments, `%2F`, a broken `%` escape): request
        /// paths are appended to it, and the result must stay under it.
        case unsafePath
    }

    /// `http` or `https`.
    package let scheme: Scheme
    /// The host as written, without brackets for IPv6 (`api.openai.com`, `127.0.0.1`, `::1`).
    package let host: String
    /// The explicit port, or nil for the scheme's default.
    package let port: UInt16?
    /// The path prefix, `""` or starting with `/` (e.g. `/v1`); request paths are appended to it.
    package let path: String
    /// The URL exactly as written.
    package let description: String

    /// The port to connect to: the explicit one, or 80/443.
    package var effectivePort: UInt16 { port ?? (scheme == .https ? 443 : 80) }

    /// Parses `text`, or returns why it is not acceptable.
    package static func parse(_ text: String) -> Result<BackendURL, Problem> {
        let bytes = Array(text.utf8)
        let scheme: Scheme
        var index: Int
        if bytes.starts(with: "https://".utf8) {
            scheme = .https
            index = 8
        } else if bytes.starts(with: "http://".utf8) {
            scheme = .http
            index = 7
        } else {
            return .failure(.malformed)
        }
        let authorityStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "?"),
              bytes[index] != UInt8(ascii: "#") {
            index += 1
        }
        let authority = bytes[authorityStart..<index]
        if authority.contains(UInt8(ascii: "@")) { return .failure(.userInfo) }
        let rest = bytes[index...]
        if rest.contains(UInt8(ascii: "?")) || rest.contains(UInt8(ascii: "#")) { return .failure(.queryOrFragment) }
        guard rest.allSatisfy(isPathByte) else { return .failure(.malformed) }
        if !rest.isEmpty {
            guard case .success(.unchanged) = rest.withUnsafeBytes({ RequestPath.normalize($0) }) else { return .failure(.unsafePath) }
        }

        var hostBytes = authority
        var port: UInt16? = nil
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return .failure(.malformed) }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            guard authority.withUnsafeBytes({ URIHost.isIPv6Address($0, 1..<(close - authority.startIndex)) })
            else { return .failure(.malformed) }
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":"), let parsed = parsePort(after.dropFirst()) else { return .failure(.malformed) }
                port = parsed
            }
        } else {
            if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
                hostBytes = authority[..<colon]
                guard let parsed = parsePort(authority[(colon + 1)...]) else { return .failure(.malformed) }
                port = parsed
            }
            guard !hostBytes.isEmpty, hostBytes.allSatisfy(isRegNameByte),
                  hostBytes.first != UInt8(ascii: "."), hostBytes.first != UInt8(ascii: "-")
            else { return .failure(.malformed) }
        }
        return .success(BackendURL(scheme: scheme, host: String(decoding: hostBytes, as: UTF8.self), port: port,
                                   path: String(decoding: rest, as: UTF8.self), description: text))
    }

    private init(scheme: Scheme, host: String, port: UInt16?, path: String, description: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.description = description
    }

    /// A port from 1 to 65535 without leading zeros.
    private static func parsePort(_ bytes: ArraySlice<UInt8>) -> UInt16? {
        guard !bytes.isEmpty, bytes.count <= 5, bytes.first != UInt8(ascii: "0"),
              bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var value = 0
        for byte in bytes { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
        return value <= 65535 ? UInt16(value) : nil
    }

    /// Letters, digits, `-`, `.`, `_`, `~` (RFC 3986 §3.2.2 unreserved; no percent-encoding).
    private static func isRegNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Visible ASCII other than space, quote, `<`, `>`, backslash, `^`, backtick, `{`, `|`, `}`
    /// (RFC 3986 §3.3 pchar and `/`, with `%` allowed for percent-encoding).
    private static func isPathByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
             UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
            return false
        default:
            return true
        }
    }
}
