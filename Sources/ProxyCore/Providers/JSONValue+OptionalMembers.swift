// The translators build bodies as trees; members they leave out are given as nil.
extension JSONValue {
    /// An object from `(key, value)` pairs in the order given; pairs whose value is nil are left out.
    static func members(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(pairs.compactMap { pair in pair.1.map { (key: pair.0, value: $0) } }))
    }
}
