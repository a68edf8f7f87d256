#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// Block structure: nodes placed by indentation, block mappings and block sequences.
extension YAMLParser {
    /// The node that follows a line ending in `key:` or `-`: on the next content line if it
    /// is indented more than `parentIndent`, else empty (null). When `sequenceAtParentIndent`
    /// is set (mapping values), a block sequence may sit at the key's own indentation
    /// (`key:\n- item`), as kubectl writes it.
    mutating func parseBlockNode(parentIndent: Int, sequenceAtParentIndent: Bool) throws(YAMLError) -> JSONValue {
        let crossedLine = try skipToContent(block: true)
        if atEnd || atAnyDocumentMarker() { return .null }
        if crossedLine {
            if column < parentIndent { return .null }
            if column == parentIndent && !(sequenceAtParentIndent && atIndicator(YAMLByte.minus)) { return .null }
        }
        return try parseBlockNodeHere(parentIndent: parentIndent)
    }

    /// The node starting at `pos`, where block collections may start (the first content of
    /// a line, or after `- `). Its column is the indentation of a collection found here.
    mutating func parseBlockNodeHere(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let start = pos
        let indent = column
        switch current {
        case YAMLByte.minus where atIndicator(YAMLByte.minus):
            return try parseBlockSequence(indent: indent)
        case YAMLByte.pipe, YAMLByte.greater:
            return try parseBlockScalar(parentIndent: parentIndent)
        case YAMLByte.leftBracket, YAMLByte.leftBrace:
            let value = try parseFlowCollection()
            skipWhite()
            if current == YAMLByte.colon {
                throw error("a mapping key must be a scalar, not a flow collection", at: start)
            }
            try expectLineEnd(after: "a flow collection")
            return value
        case YAMLByte.question where atIndicator(YAMLByte.question):
            throw error("explicit mapping keys ('? ') are not supported")
        default:
            break
        }
        if try startsImplicitKey() {
            return try parseBlockMapping(indent: indent)
        }
        return try parseScalarValue(parentIndent: parentIndent)
    }

    /// The value after `key: ` on the same line (or after `--- `): a scalar or a flow
    /// collection. Block collections must start on a new line.
    mutating func parseInlineValue(parentIndent: Int) throws(YAMLError) -> JSONValue {
        switch current {
        case YAMLByte.minus where atIndicator(YAMLByte.minus):
            throw error("a block sequence cannot start on the same line as a mapping key; start it on a new line")
        case YAMLByte.question where atIndicator(YAMLByte.question):
            throw error("explicit mapping keys ('? ') are not supported")
        case YAMLByte.pipe, YAMLByte.greater:
            return try parseBlockScalar(parentIndent: parentIndent)
        case YAMLByte.leftBracket, YAMLByte.leftBrace:
            let value = try parseFlowCollection()
            skipWhite()
            if current == YAMLByte.colon {
                throw error("mapping values are not allowed here; a nested mapping must start on a new line")
            }
            try expectLineEnd(after: "a flow collection")
            return value
        default:
            return try parseScalarValue(parentIndent: parentIndent)
        }
    }

    /// A quoted or plain scalar used as a value (not a key), typed when plain.
    private mutating func parseScalarValue(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let start = pos
        switch current {
        case YAMLByte.doubleQuote, YAMLByte.singleQuote:
            let text = try parseQuotedScalar()
            skipWhite()
            if atIndicator(YAMLByte.colon) {
                throw error("mapping values are not allowed here; a nested mapping must start on a new line")
            }
            try expectLineEnd(after: "a quoted scalar")
            return .string(text)
        default:
            try checkPlainStart(flow: false)
            let text = try parsePlainScalar(flow: false, parentIndent: parentIndent)
            return try typedPlainScalar(text, at: start)
        }
    }

    /// The core-schema value of a plain scalar's text.
    func typedPlainScalar(_ text: [UInt8], at start: Int) throws(YAMLError) -> JSONValue {
        switch YAMLCoreSchema.resolve(text) {
        case .value(let value): return value
        case .unrepresentable(let reason): throw error(reason, at: start)
        }
    }

    /// Whether the scalar at `pos` is followed by `: ` on its line, making it a mapping key.
    private mutating func startsImplicitKey() throws(YAMLError) -> Bool {
        switch current {
        case YAMLByte.doubleQuote, YAMLByte.singleQuote:
            let saved = (pos, lineStart)
            _ = try parseQuotedScalar()
            skipWhite()
            let isKey = atIndicator(YAMLByte.colon)
            (pos, lineStart) = saved
            return isKey
        case YAMLByte.ampersand, YAMLByte.asterisk, YAMLByte.bang:
            throw unsupportedFeatureError()
        default:
            try checkPlainStart(flow: false)
            return scanPlainLine(from: pos, flow: false).stop == .mappingValue
        }
    }

    /// A block mapping whose keys sit at column `indent`; `pos` is at its first key.
    private mutating func parseBlockMapping(indent: Int) throws(YAMLError) -> JSONValue {
        try enterCollection(at: pos)
        var object = JSONObject()
        var keys = Set<String>()
        while true {
            let keyStart = pos
            let key = try parseBlockKey()
            guard keys.insert(key).inserted else {
                throw error("duplicate key \"\(key.prefix(60))\"", at: keyStart)
            }
            pos += 1  // the ':'
            skipWhite()
            let parent = enterNode(member: key, at: keyStart)
            let value: JSONValue
            if atEnd || current == YAMLByte.lf || atComment() {
                value = try parseBlockNode(parentIndent: indent, sequenceAtParentIndent: true)
            } else {
                value = try parseInlineValue(parentIndent: indent)
            }
            leaveNode(parent)
            object.members.append((key, value))

            _ = try skipToContent(block: true)
            if atEnd || atAnyDocumentMarker() || column < indent { break }
            if column > indent { throw error("bad indentation of a mapping entry") }
            if atIndicator(YAMLByte.minus) {
                throw error("expected a mapping entry (key: value), found a sequence entry")
            }
        }
        leaveCollection()
        return .object(object)
    }

    /// A key of a block mapping: a plain or quoted scalar on one line, then `:`.
    private mutating func parseBlockKey() throws(YAMLError) -> String {
        let start = pos
        let startLine = lineStart
        let key: String
        switch current {
        case YAMLByte.doubleQuote, YAMLByte.singleQuote:
            key = try parseQuotedScalar()
            if lineStart != startLine {
                throw error("a mapping key must fit on one line", at: start)
            }
        case YAMLByte.leftBracket, YAMLByte.leftBrace:
            throw error("a mapping key must be a scalar, not a flow collection")
        case YAMLByte.pipe, YAMLByte.greater:
            throw error("a mapping key must be a plain or quoted scalar, not a block scalar")
        case YAMLByte.question where atIndicator(YAMLByte.question):
            throw error("explicit mapping keys ('? ') are not supported")
        default:
            try checkPlainStart(flow: false)
            let line = scanPlainLine(from: pos, flow: false)
            guard line.stop == .mappingValue else {
                throw error("expected a mapping entry (key: value), found a line without ':'")
            }
            let text = input[pos..<line.contentEnd]
            if text.elementsEqual("<<".utf8) {
                throw error("merge keys ('<<') are not supported; write the merged entries out")
            }
            key = String(decoding: text, as: UTF8.self)
            pos = line.stopIndex
        }
        skipWhite()
        guard atIndicator(YAMLByte.colon) else {
            throw error("expected ':' after the mapping key")
        }
        return key
    }

    /// A block sequence whose `-` indicators sit at column `indent`; `pos` is at the first `-`.
    private mutating func parseBlockSequence(indent: Int) throws(YAMLError) -> JSONValue {
        try enterCollection(at: pos)
        var items: [JSONValue] = []
        while true {
            let parent = enterNode(element: items.count, at: pos)
            pos += 1  // the '-'
            skipWhite()
            if atEnd || current == YAMLByte.lf || atComment() {
                items.append(try parseBlockNode(parentIndent: indent, sequenceAtParentIndent: false))
            } else {
                items.append(try parseBlockNodeHere(parentIndent: indent))
            }
            leaveNode(parent)
            _ = try skipToContent(block: true)
            if atEnd || atAnyDocumentMarker() || column < indent { break }
            if column > indent { throw error("bad indentation of a sequence entry") }
            if !atIndicator(YAMLByte.minus) { break }
        }
        leaveCollection()
        return .array(items)
    }
}
