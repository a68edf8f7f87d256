/// What `AUTH` sends: a password, and a username for Redis 6 ACL users (`default` when nil).
///
/// The password never appears in a description, log or error.
package struct RedisCredentials: Hashable, Sendable, CustomStringConvertible {
    package var username: String?
    package var password: String

    package init(username: String? = nil, password: String) {
        self.username = username
        self.password = password
    }

    package var description: String { "RedisCredentials(username: \(username ?? "default"), password: <redacted>)" }
}
