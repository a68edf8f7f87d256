/// A `JSONValue` together with its path in the document, so that every typed read that fails
/// names where: the translators read untrusted bodies and answer with the path.
package struct ProviderJSONCursor: Sendable {
    package let value: JSONValue
    package let path: String

    package init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    /// The member `key` when this is an object and the member is present and not `null`.
    package subscript(key: String) -> ProviderJSONCursor? {
        guard case .object(let object) = value, let member = object[key], member != .null else { return nil }
        return ProviderJSONCursor(member, path: JSONPath.member(path, key))
    }

    /// The member `key`, which must be present and not `null`.
    package func required(_ key: String) throws(ProviderTranslationError) -> ProviderJSONCursor {
        guard let member = self[key] else { throw .missingField(path: JSONPath.member(path, key)) }
        return member
    }

    package func string() throws(ProviderTranslationError) -> String {
        guard case .string(let text) = value else { throw .wrongType(path: path, expected: "a string") }
        return text
    }

    package func object() throws(ProviderTranslationError) -> JSONObject {
        guard case .object(let object) = value else { throw .wrongType(path: path, expected: "an object") }
        return object
    }

    package func bool() throws(ProviderTranslationError) -> Bool {
        guard case .bool(let flag) = value else { throw .wrongType(path: path, expected: "true or false") }
        return flag
    }

    package func number() throws(ProviderTranslationError) -> JSONNumber {
        guard case .number(let number) = value else { throw .wrongType(path: path, expected: "a number") }
        return number
    }

    /// A whole number (no fraction or exponent) that fits in `Int`.
    package func int() throws(ProviderTranslationError) -> Int {
        guard case .number(let number) = value, let int = number.int else { throw .wrongType(path: path, expected: "an integer") }
        return int
    }

    /// The elements, each with its path.
    package func array() throws(ProviderTranslationError) -> [ProviderJSONCursor] {
        guard case .array(let elements) = value else { throw .wrongType(path: path, expected: "an array") }
        return elements.enumerated().map { ProviderJSONCursor($1, path: JSONPath.element(path, $0)) }
    }

    /// Parses `bytes` as the document to read.
    package static func parse(_ bytes: some Collection<UInt8>) throws(ProviderTranslationError) -> ProviderJSONCursor {
        do {
            return ProviderJSONCursor(try JSONParser.parse(bytes))
        } catch {
            throw .invalidJSON(error)
        }
    }
}
