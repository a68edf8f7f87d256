/// Why no usable API server configuration could be built. A configuration error: report it
/// and exit; retrying will not help.
package struct KubeConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) { self.message = message }

    package var description: String { message }
}
