#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// A recursive-descent parser for the YAML subset Kubernetes manifests use, over UTF-8 bytes.
///
/// A single-use value: `YAMLReader` makes one per stream and calls `parseStream()`.
/// The grammar is split by construct: `+Block` (block mappings and sequences),
/// `+Flow` (`[…]`, `{…}`), `+Plain`, `+Quoted` and `+BlockScalar` (scalars).
///
/// Positions: `pos` is the next byte; `lineStart` the offset of the first byte of its line,
/// so `column` (0-based, in bytes) is the indentation when `pos` is the first content of a line.
struct YAMLParser {
    let source: YAMLSource
    let input: [UInt8]
    let limits: YAMLReader.Limits
    var pos = 0
    var lineStart = 0
    var depth = 0
    /// While recording (`YAMLReader.readDocumentsWithPositions`): the start offset of every node
    /// of the current document by JSON path (a mapping member's is its key's). Nil otherwise,
    /// and then nothing below costs anything.
    var positions: [String: Int]?
    /// The recorded positions of each document read so far.
    var documentPositions: [[String: Int]] = []
    /// The JSON path of the node being read (kept only while recording).
    var path = ""

    init(source: YAMLSource, limits: YAMLReader.Limits) {
        self.source = source
        self.input = source.bytes
        self.limits = limits
    }

    // MARK: Stream and documents

    /// Reads every document of the stream; empty documents are skipped.
    mutating func parseStream() throws(YAMLError) -> [JSONValue] {
        var documents: [JSONValue] = []
        while true {
            _ = try skipToContent(block: true)
            guard !atEnd else { break }
            if column == 0, current == YAMLByte.percent {
                throw error("directives (%YAML, %TAG) are not supported; remove the line")
            }
            if atDocumentMarker(YAMLByte.dot) {
                pos += 3
                try expectLineEnd(after: "the document end marker '...'")
                continue
            }
            var explicitStart = false
            if atDocumentMarker(YAMLByte.minus) {
                pos += 3
                explicitStart = true
            }
            let rootStart = pos
            if positions != nil { positions = [:] }
            guard let document = try parseDocumentRoot(explicitStart: explicitStart) else { continue }
            guard documents.count < limits.maxDocuments else {
                throw error("the stream holds more than \(limits.maxDocuments) documents", at: rootStart)
            }
            documents.append(document)
            if let recorded = positions { documentPositions.append(recorded) }
            _ = try skipToContent(block: true)
            if atEnd || atDocumentMarker(YAMLByte.minus) || atDocumentMarker(YAMLByte.dot) { continue }
            throw leftoverContentError(root: document)
        }
        return documents
    }

    /// The root node of one document, or nil when the document is empty.
    private mutating func parseDocumentRoot(explicitStart: Bool) throws(YAMLError) -> JSONValue? {
        let crossedLine = try skipToContent(block: true)
        if atEnd || atDocumentMarker(YAMLByte.minus) || atDocumentMarker(YAMLByte.dot) { return nil }
        if positions != nil {
            path = ""
            positions![""] = pos
        }
        if explicitStart && !crossedLine {
            // `--- value`: a scalar or flow collection may share the marker's line; a block collection may not.
            return try parseInlineValue(parentIndent: -1)
        }
        return try parseBlockNodeHere(parentIndent: -1)
    }

    /// Content left after a document's root node: the root was indented more than the line that follows.
    private func leftoverContentError(root: JSONValue) -> YAMLError {
        switch root {
        case .object(let object) where !object.members.isEmpty:
            return error("bad indentation of a mapping entry")
        case .array(let items) where !items.isEmpty:
            return error("bad indentation of a sequence entry")
        default:
            return error("unexpected content after the document's root node (a document has one root; separate documents with '---')")
        }
    }

    // MARK: Cursor

    /// True when every byte has been read.
    var atEnd: Bool { pos >= input.count }

    /// The byte at `pos`, or nil at the end.
    var current: UInt8? { pos < input.count ? input[pos] : nil }

    /// The 0-based byte column of `pos`: its indentation when it is the first content of a line.
    var column: Int { pos - lineStart }

    /// The byte at `index`, or nil past the end.
    func byte(at index: Int) -> UInt8? { index < input.count ? input[index] : nil }

    /// True at the end of input or when the byte at `index` is a space, tab or line break.
    func isBlankOrEnd(_ index: Int) -> Bool {
        guard index < input.count else { return true }
        let byte = input[index]
        return byte == YAMLByte.space || byte == YAMLByte.tab || byte == YAMLByte.lf
    }

    /// True at `---` or `...` (as given by `marker`) in column 0, followed by a blank or the end.
    func atDocumentMarker(_ marker: UInt8) -> Bool {
        column == 0 && pos + 3 <= input.count && input[pos] == marker && input[pos + 1] == marker
            && input[pos + 2] == marker && isBlankOrEnd(pos + 3)
    }

    /// True at `---` or `...` in column 0.
    func atAnyDocumentMarker() -> Bool { atDocumentMarker(YAMLByte.minus) || atDocumentMarker(YAMLByte.dot) }

    /// True when `pos` is an indicator byte followed by a blank: `- `, `? `, `: `.
    func atIndicator(_ indicator: UInt8) -> Bool { current == indicator && isBlankOrEnd(pos + 1) }

    /// Skips spaces and tabs on the current line.
    mutating func skipWhite() {
        while pos < input.count, YAMLByte.isWhite(input[pos]) { pos += 1 }
    }

    /// Consumes the LF at `pos` and starts the next line.
    mutating func consumeLineBreak() {
        pos += 1
        lineStart = pos
    }

    /// True when a `#` at `pos` starts a comment: first on its line or after white space.
    func atComment() -> Bool {
        current == YAMLByte.hash && (pos == lineStart || YAMLByte.isWhite(input[pos - 1]))
    }

    /// Skips white space, comments and line breaks up to the next content (or the end).
    ///
    /// In block context, a tab in the indentation of the line holding that content is an
    /// error (YAML indents with spaces only). Returns whether a line break was crossed.
    mutating func skipToContent(block: Bool) throws(YAMLError) -> Bool {
        var crossedLine = false
        while true {
            skipWhite()
            guard let byte = current else { return crossedLine }
            if byte == YAMLByte.lf {
                consumeLineBreak()
                crossedLine = true
                continue
            }
            if atComment() {
                while let next = current, next != YAMLByte.lf { pos += 1 }
                continue
            }
            if block, let tab = input[lineStart..<pos].firstIndex(of: YAMLByte.tab),
                !input[lineStart..<pos].contains(where: { !YAMLByte.isWhite($0) })
            {
                throw error("tab character used for indentation; indent with spaces", at: tab)
            }
            return crossedLine
        }
    }

    /// Requires the rest of the line to be empty or a comment.
    mutating func expectLineEnd(after what: String) throws(YAMLError) {
        skipWhite()
        if atComment() {
            while let next = current, next != YAMLByte.lf { pos += 1 }
        }
        guard atEnd || current == YAMLByte.lf else {
            throw error("unexpected content after \(what)")
        }
    }

    // MARK: Positions

    /// Makes the member `key` of the current node the current one, recording where it starts;
    /// returns what `leaveNode` needs to come back (nil when not recording).
    mutating func enterNode(member key: String, at offset: Int) -> String? {
        guard positions != nil else { return nil }
        return enterNode(JSONPath.member(path, key), at: offset)
    }

    /// Makes the element `index` of the current node the current one, recording where it starts.
    mutating func enterNode(element index: Int, at offset: Int) -> String? {
        guard positions != nil else { return nil }
        return enterNode(JSONPath.element(path, index), at: offset)
    }

    private mutating func enterNode(_ child: String, at offset: Int) -> String {
        let parent = path
        path = child
        if positions![child] == nil { positions![child] = offset }
        return parent
    }

    /// Makes the parent of the node entered last the current one again.
    mutating func leaveNode(_ parent: String?) {
        if let parent { path = parent }
    }

    // MARK: Limits and errors

    /// Counts one more level of collection nesting; refuses to go past the limit.
    mutating func enterCollection(at start: Int) throws(YAMLError) {
        depth += 1
        guard depth <= limits.maxDepth else {
            throw error("collections are nested deeper than the limit of \(limits.maxDepth) levels", at: start)
        }
    }

    /// Undoes `enterCollection` once a collection is complete.
    mutating func leaveCollection() { depth -= 1 }

    /// An error at `offset` (default: `pos`), located by line and column.
    func error(_ message: String, at offset: Int? = nil) -> YAMLError {
        source.error(message, at: offset ?? pos)
    }

    /// The error for a construct we refuse (anchors, aliases, tags) at `pos`, naming it.
    func unsupportedFeatureError() -> YAMLError {
        var end = pos + 1
        while end < input.count, !isBlankOrEnd(end), !YAMLByte.isFlowIndicator(input[end]), end - pos < 40 { end += 1 }
        let token = String(decoding: input[pos..<end], as: UTF8.self)
        switch current {
        case YAMLByte.ampersand:
            return error("anchors are not supported (found anchor \"\(token)\"); repeat the content instead")
        case YAMLByte.asterisk:
            return error("aliases are not supported (found alias \"\(token)\"); repeat the content instead")
        default:
            return error("tags are not supported (found tag \"\(token)\"); remove it, and quote the value if it must be a string")
        }
    }

    /// Checks that a plain scalar may start at `pos` (YAML 1.2 `ns-plain-first`), with a precise error if not.
    func checkPlainStart(flow: Bool) throws(YAMLError) {
        guard let byte = current else { return }
        if !YAMLByte.isIndicator(byte) { return }
        if byte == YAMLByte.minus || byte == YAMLByte.question || byte == YAMLByte.colon,
            let next = self.byte(at: pos + 1), !isBlankOrEnd(pos + 1), !(flow && YAMLByte.isFlowIndicator(next))
        {
            return
        }
        switch byte {
        case YAMLByte.ampersand, YAMLByte.asterisk, YAMLByte.bang:
            throw unsupportedFeatureError()
        case YAMLByte.at, YAMLByte.backtick:
            throw error("'\(Character(Unicode.Scalar(byte)))' is reserved and cannot start a plain scalar; quote the value")
        case YAMLByte.colon:
            throw error("a mapping key cannot be empty")
        case YAMLByte.question:
            throw error("explicit mapping keys ('? ') are not supported")
        default:
            throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'; quote the value if it is a string")
        }
    }
}
