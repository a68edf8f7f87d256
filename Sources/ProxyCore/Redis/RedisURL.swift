/// A Redis server named as a URL: `redis://host:port/db` for plain TCP, `rediss://…` for TLS
/// (the schemes redis-cli and most clients use), with an optional ACL username
/// (`rediss://user@host`). The port defaults to 6379 and the database to 0.
///
/// A password in the URL is refused: secrets are never inline in Sluice's config, so it comes
/// from a file in the secrets directory (`RedisCredentials`). An immutable value.
package struct RedisURL: Hashable, Sendable, CustomStringConvertible {
    /// Why a text is not a Redis URL Sluice accepts.
    package struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    package var address: RedisNodeAddress
    package var usesTLS: Bool
    package var username: String?
    package var database: Int

    package init(parsing text: String) throws(ParseError) {
        let rest: Substring
        if text.hasPrefix("redis://") {
            usesTLS = false
            rest = text.dropFirst("redis://".count)
        } else if text.hasPrefix("rediss://") {
            usesTLS = true
            rest = text.dropFirst("rediss://".count)
        } else {
            throw ParseError(reason: "expected redis://host:port or rediss://host:port")
        }
        guard !rest.contains("?"), !rest.contains("#") else { throw ParseError(reason: "query and fragment are not supported") }
        var authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        if let at = authority.lastIndex(of: "@") {
            let user = authority[..<at]
            guard !user.contains(":") else {
                throw ParseError(reason: "the password cannot be in the URL: put it in a file in the secrets directory")
            }
            guard !user.isEmpty else { throw ParseError(reason: "an empty username") }
            username = String(user)
            authority = authority[authority.index(after: at)...]
        } else {
            username = nil
        }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard let address = RedisNodeAddress(hasPort ? String(authority) : "\(authority):6379"), !address.host.isEmpty else {
            throw ParseError(reason: "expected host:port with a port from 1 to 65535")
        }
        self.address = address
        switch path {
        case "", "/":
            database = 0
        default:
            let digits = path.dropFirst()
            guard digits.count <= 5, digits.utf8.allSatisfy({ (48...57).contains($0) }), let number = Int(digits) else {
                throw ParseError(reason: "the database after / must be a number")
            }
            database = number
        }
    }

    package var description: String {
        "\(usesTLS ? "rediss" : "redis")://\(username.map { "\($0)@" } ?? "")\(address)/\(database)"
    }
}
