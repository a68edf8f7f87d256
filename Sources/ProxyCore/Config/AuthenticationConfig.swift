/// How requests are tied to consumers (`authentication`). With no consumers configured every
/// request is anonymous whatever this says.
package struct AuthenticationConfig: Hashable, Sendable {
    /// Whether a request that presents no key is admitted as consumer `anonymous` (no model
    /// restrictions, no limits) while consumers are configured. A key that is presented but
    /// unknown is refused either way. Default false.
    package let allowAnonymous: Bool
    /// Limits shared by every request without a consumer (`authentication.anonymous`): a
    /// consumer named `anonymous` with no keys and every model, only its limits set. Nil: none.
    package let anonymous: ConsumerConfig?

    package init(allowAnonymous: Bool = false, anonymous: ConsumerConfig? = nil) {
        self.allowAnonymous = allowAnonymous
        self.anonymous = anonymous
    }
}
