import Glibc

/// Reads the process environment. `KubeConfig` takes the lookup as a parameter so tests
/// pass their own.
package enum Environment {
    /// The value of `name`, or nil when unset.
    package static func get(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
