/// Paths to values inside a JSON document, as messages show them: `routes[2].split[1].weight`,
/// `spec.prices["qwen2.5-72b"].input`; `""` is the document itself. One spelling for the proxy
/// config's issues, the CRDs' issues and the YAML reader's node positions, so a path found in a
/// message can be looked up where the node was read.
package enum JSONPath {
    /// `parent.key`, or `parent["odd key"]` when the key is not a plain identifier (letters,
    /// digits, `_`, `-`).
    package static func member(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        if !plain { return "\(parent)[\(String(decoding: JSONWriter.write(.string(key)), as: UTF8.self))]" }
        return parent.isEmpty ? key : "\(parent).\(key)"
    }

    /// `parent[index]`.
    package static func element(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// `path` without its last step (`a.b[2]` → `a.b`, `a.b` → `a`, `a` → `""`); nil for `""`.
    /// A quoted key containing `.` or `[` is cut inside: such a prefix names no node, and a
    /// caller looking for the nearest known ancestor simply goes on to the next one.
    package static func parent(of path: String) -> String? {
        guard !path.isEmpty else { return nil }
        let bytes = Array(path.utf8)
        var index = bytes.count - 1
        while index > 0, bytes[index] != UInt8(ascii: "."), bytes[index] != UInt8(ascii: "[") { index -= 1 }
        return String(decoding: bytes[..<index], as: UTF8.self)
    }
}
