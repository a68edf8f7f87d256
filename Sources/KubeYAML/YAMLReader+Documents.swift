#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

// Not named YAMLReader.swift: the fuzz build compiles this folder with Tests/Fuzz/YAMLReader.swift,
// and swiftc refuses two files with the same name in one module.

/// Reads YAML streams into `JSONValue` documents: the subset of YAML 1.2 that Kubernetes
/// manifests use. Pure and synchronous; call it off the request path (controller, tools).
///
/// Supported: several documents separated by `---` (and `...`), empty documents skipped;
/// block mappings and sequences (including `key:` followed by `- item` at the key's own
/// indentation); flow collections `[a, b]`, `{a: 1}`, across lines; plain (multi-line,
/// folded), single-quoted, double-quoted (every YAML escape) and block scalars (`|`, `>`,
/// chomping and indentation indicators); comments, CRLF line ends and a leading BOM.
///
/// Plain scalars are typed by the YAML 1.2 core schema (see `YAMLCoreSchema`): `yes`, `no`,
/// `on` and `off` stay **strings**. kubectl's YAML 1.1 parser reads them as booleans, so
/// quote such values in manifests to avoid the ambiguity. `.inf` and `.nan` are refused
/// because JSON cannot represent them. Quoted and block scalars are always strings; keys
/// are always strings, taken as written (`80: x` has the key `"80"`).
///
/// Refused with a clear error: anchors (`&a`), aliases (`*a`), tags (`!!str`, `!foo`),
/// merge keys (`<<`), explicit keys (`? `), directives (`%YAML`), duplicate keys, and
/// non-scalar keys. Errors carry a 1-based line and column (`YAMLError`).
///
/// Memory and time are linear in the input: there is no alias expansion to exploit
/// ("billion laughs" fails at its first anchor), and `Limits` caps the input size, the
/// nesting depth and the number of documents.
package enum YAMLReader {
    /// Caps on what one stream may hold.
    package struct Limits: Sendable {
        /// The largest input accepted, in bytes.
        package var maxInputBytes: Int
        /// The deepest nesting of collections accepted (the parser recurses once per level).
        package var maxDepth: Int
        /// The most documents one stream may hold.
        package var maxDocuments: Int

        package init(maxInputBytes: Int = 16 << 20, maxDepth: Int = 128, maxDocuments: Int = 10_000) {
            self.maxInputBytes = maxInputBytes
            self.maxDepth = maxDepth
            self.maxDocuments = maxDocuments
        }
    }

    /// Reads every document of a YAML stream, in order; empty documents are skipped.
    package static func readDocuments(_ text: String, limits: Limits = Limits()) throws(YAMLError) -> [JSONValue] {
        try readDocuments(text.utf8, limits: limits)
    }

    /// Reads every document of a YAML stream given as UTF-8 bytes (a BOM is allowed).
    package static func readDocuments(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(YAMLError) -> [JSONValue] {
        let source = try YAMLSource(bytes, maxBytes: limits.maxInputBytes)
        var parser = YAMLParser(source: source, limits: limits)
        return try parser.parseStream()
    }

    /// `readDocuments`, with where each node of each document starts, so that a problem found
    /// at a JSON path can name its line and column.
    package static func readDocumentsWithPositions(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(YAMLError) -> [YAMLDocument] {
        let source = try YAMLSource(bytes, maxBytes: limits.maxInputBytes)
        var parser = YAMLParser(source: source, limits: limits)
        parser.positions = [:]
        let values = try parser.parseStream()
        let lineStarts = source.lineStarts()
        return zip(values, parser.documentPositions).map { value, offsets in
            YAMLDocument(value: value, positions: offsets.mapValues { source.location(of: $0, lineStarts: lineStarts) })
        }
    }
}
