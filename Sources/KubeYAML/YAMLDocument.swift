#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// One document of a YAML stream and where each of its nodes starts.
package struct YAMLDocument: Hashable, Sendable {
    package var value: JSONValue
    /// JSON path (`JSONPath`, `""` for the root) → the start of the node; for a mapping member,
    /// the start of its key, the line a reader looks for.
    package var positions: [String: YAMLPosition]

    package init(value: JSONValue, positions: [String: YAMLPosition]) {
        self.value = value
        self.positions = positions
    }

    /// Where the node at `path` starts, or its nearest ancestor that was read (a missing
    /// field is reported where its parent object is).
    package func position(of path: String) -> YAMLPosition? {
        var candidate: String? = path
        while let current = candidate {
            if let found = positions[current] { return found }
            candidate = JSONPath.parent(of: current)
        }
        return nil
    }
}

/// A 1-based line and column; the column counts Unicode scalars, as editors do.
package struct YAMLPosition: Hashable, Sendable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, as compilers print it after a file name.
    package var description: String { "\(line):\(column)" }
}
