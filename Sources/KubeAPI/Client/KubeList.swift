import ProxyCore

/// The answer to a list: the items and the list's `metadata.resourceVersion`, from which a
/// watch continues without missing or repeating a change.
package struct KubeList: Sendable {
    package var items: [JSONValue]
    package var resourceVersion: String

    package init(items: [JSONValue], resourceVersion: String) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}
