extension HTTPHeaders {
    /// The field names the `Connection` fields list (RFC 9110 §7.6.1 "connection options"):
    /// each names a field meant for this hop only. Empty (without allocating) when there is no
    /// `Connection` field.
    package var connectionOptions: [String] {
        guard contains("connection") else { return [] }
        return values("connection").flatMap { $0.split(separator: ",") }
            .map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            .filter { !$0.isEmpty }
    }

    /// Removes the fields `Connection` names, which a proxy must not forward (RFC 9110 §7.6.1);
    /// the `Connection` field itself stays for the caller's hop-by-hop rules. Looks without
    /// allocating; allocates only when there is something to remove.
    package mutating func removeConnectionOptions() {
        guard contains("connection") else { return }
        func isOption(_ field: Field, in headers: HTTPHeaders) -> Bool {
            !Self.namesEqual(field.name, "connection") && headers.containsToken("connection", field.name)
        }
        guard fields.contains(where: { isOption($0, in: self) }) else { return }
        for name in fields.filter({ isOption($0, in: self) }).map(\.name) { remove(name) }
    }
}
