/// Where a Redis server listens: a host (name or numeric address) and a port.
///
/// An immutable value; safe to share.
package struct RedisNodeAddress: Hashable, Sendable, CustomStringConvertible {
    package var host: String
    package var port: UInt16

    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port`, or an unbracketed IPv6 address with its port after the
    /// last colon (`::1:6379`, as Redis writes addresses in `MOVED`); nil when malformed.
    /// An empty host is allowed (Redis's "the node you asked"); the caller fills it in.
    package init?(_ text: some StringProtocol) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = Substring(text[text.index(after: text.startIndex)..<close])
            portText = Substring(text[text.index(close, offsetBy: 2)...])
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = Substring(text[..<colon])
            portText = Substring(text[text.index(after: colon)...])
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ (48...57).contains($0) }), let port = UInt16(portText), port > 0 else { return nil }
        guard !host.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { return nil }
        if host == "?" { host = "" }
        self.host = String(host)
        self.port = port
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// This address with an empty host replaced by `host` (the node that sent it).
    package func filling(host fallback: String) -> RedisNodeAddress {
        host.isEmpty ? RedisNodeAddress(host: fallback, port: port) : self
    }
}
