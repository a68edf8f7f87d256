/// How requests are tied to consumers (`authentication`). With no consumers configured every
/// request is anonymous whatever this says.
package struct AuthenticationConfig: Hashable, Sendable {
    /// Whether a request that presents no key is admitted as consumer `anonymous` (no model
    /// restrictions, no limits) while consumers are configured. A key that is presented but
    /// unknown is refused either way. Default false.
    package let allowAnonymous: Bool

    package init(allowAnonymous: Bool = false) {
        self.allowAnonymous = allowAnonymous
    }
}
