extension ConfigIssue {
    /// How a found value appears in messages (the proxy config's and the CRDs' alike): numbers and literals as written, strings quoted
    /// (long ones shortened), containers by kind.
    package static func found(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.literal.count > 40 ? String(number.literal.prefix(40)) + "…" : number.literal
        case .string(let text): quoted(text)
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// `text` as a JSON string literal, shortened to 60 characters with `…`.
    package static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return String(decoding: JSONWriter.write(.string(shown)), as: UTF8.self)
    }
}
