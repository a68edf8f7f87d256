/// An ordered list of HTTP fields (a header or trailer section), duplicates kept.
///
/// Names keep the case they were received or appended with; every lookup compares names
/// ASCII case-insensitively (RFC 9110 §5.1) without allocating. Used for parsed requests and to
/// build outgoing responses. A plain value: not tied to any thread.
package struct HTTPHeaders: Sendable, Hashable {
    /// One field as stored; the serializer reads `fields` directly.
    struct Field: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// The fields in order. Read by `HTTP1ResponseSerializer`; edited only through the methods.
    private(set) var fields: [Field]

    /// An empty section. Does not allocate.
    package init() { fields = [] }

    /// A section holding `fields` in order.
    package init(_ fields: [(name: String, value: String)]) {
        self.fields = fields.map { Field(name: $0.name, value: $0.value) }
    }

    /// An empty section with room for `capacity` fields: one allocation for a parsed head.
    package init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// The value of the first field named `name`, or nil.
    package func first(_ name: String) -> String? {
        for field in fields where Self.namesEqual(field.name, name) { return field.value }
        return nil
    }

    /// The values of every field named `name`, in order.
    package func values(_ name: String) -> [String] {
        var result: [String] = []
        for field in fields where Self.namesEqual(field.name, name) { result.append(field.value) }
        return result
    }

    /// Whether at least one field is named `name`.
    package func contains(_ name: String) -> Bool {
        for field in fields where Self.namesEqual(field.name, name) { return true }
        return false
    }

    /// Whether any field named `name` holds `token` as an element of its comma-separated list
    /// value (RFC 9110 §5.6.1), compared ASCII case-insensitively. `Connection: Keep-Alive, Upgrade`
    /// contains the tokens `keep-alive` and `upgrade`.
    package func containsToken(_ name: String, _ token: String) -> Bool {
        for field in fields where Self.namesEqual(field.name, name) {
            if Self.list(field.value, containsToken: token) { return true }
        }
        return false
    }

    /// Adds a field at the end, after any existing field of the same name.
    package mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`; returns how many were removed.
    @discardableResult
    package mutating func remove(_ name: String) -> Int {
        let before = fields.count
        fields.removeAll { Self.namesEqual($0.name, name) }
        return before - fields.count
    }

    /// Sets the value of the first field named `name` and removes the others, or appends the field
    /// when there is none.
    package mutating func replaceOrAppend(name: String, value: String) {
        guard let index = fields.firstIndex(where: { Self.namesEqual($0.name, name) }) else {
            fields.append(Field(name: name, value: value))
            return
        }
        fields[index].value = value
        var i = fields.count - 1
        while i > index {
            if Self.namesEqual(fields[i].name, name) { fields.remove(at: i) }
            i -= 1
        }
    }

    /// Whether two field names are equal ignoring ASCII case.
    package static func namesEqual(_ a: String, _ b: String) -> Bool {
        // Lengths first (O(1) for native strings), then both as contiguous bytes: header lookups
        // run this for every field a request carries.
        guard a.utf8.count == b.utf8.count else { return false }
        let contiguous: Bool?? = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                HTTP1Bytes.equalIgnoringASCIICase(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y))
            }
        }
        if let equal = contiguous ?? nil { return equal }
        var a = a.utf8.makeIterator()
        var b = b.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case let (x?, y?) where HTTP1Bytes.lowercased(x) == HTTP1Bytes.lowercased(y): continue
            default: return false
            }
        }
    }

    /// Whether the comma-separated `list` holds `token`, ignoring ASCII case and OWS around elements.
    static func list(_ list: String, containsToken token: String) -> Bool {
        let bytes = list.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            // Skip leading OWS of this element.
            while index < bytes.endIndex, HTTP1Bytes.isWhitespace(bytes[index]) { index = bytes.index(after: index) }
            // Compare the element with the token, byte by byte.
            var candidate = token.utf8.makeIterator()
            var matched = true
            var pending = candidate.next()
            while index < bytes.endIndex, bytes[index] != HTTP1Bytes.comma {
                let b = bytes[index]
                if let expected = pending, HTTP1Bytes.lowercased(expected) == HTTP1Bytes.lowercased(b) {
                    pending = candidate.next()
                } else if pending == nil, HTTP1Bytes.isWhitespace(b) {
                    // Trailing OWS after a full match is fine; anything else after it is not.
                } else {
                    matched = false
                }
                index = bytes.index(after: index)
            }
            if matched && pending == nil { return true }
            if index < bytes.endIndex { index = bytes.index(after: index) }
        }
        return false
    }
}

extension HTTPHeaders: RandomAccessCollection {
    package var startIndex: Int { 0 }
    package var endIndex: Int { fields.count }

    package subscript(position: Int) -> (name: String, value: String) {
        let field = fields[position]
        return (field.name, field.value)
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    /// A section built from a literal, in order, duplicates allowed: `["Host": "a", "Accept": "*/*"]`.
    package init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }
}
