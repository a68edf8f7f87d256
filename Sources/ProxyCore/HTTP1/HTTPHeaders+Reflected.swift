extension HTTPHeaders {
    /// The longest value the sidecar copies from a request into a response header of its own.
    package static let maxReflectedValueBytes = 256

    /// Appends a field whose value the request chose (the model in `x-sluice-model`), but only a
    /// value of at most `maxReflectedValueBytes` bytes without control characters: a 70 KB model
    /// name in a body must not become a 70 KB response header, which clients' header limits
    /// would turn into a failed response. Otherwise the field is left out.
    package mutating func appendReflected(name: String, value: String) {
        guard value.utf8.count <= Self.maxReflectedValueBytes, Self.isValidFieldText(value) else { return }
        append(name: name, value: value)
    }
}
