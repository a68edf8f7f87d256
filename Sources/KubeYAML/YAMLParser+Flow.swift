#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// Flow collections: `[a, b]` and `{a: 1, b: [x]}`, possibly spanning lines.
extension YAMLParser {
    /// A node inside a flow collection, before it is known to be a key or a value.
    private enum FlowNode {
        case plain([UInt8])
        case quoted(String)
        case collection(JSONValue)
    }

    /// Reads the flow sequence or mapping at `pos` (at `[` or `{`) and moves past its end.
    mutating func parseFlowCollection() throws(YAMLError) -> JSONValue {
        current == YAMLByte.leftBracket ? try parseFlowSequence() : try parseFlowMapping()
    }

    private mutating func parseFlowSequence() throws(YAMLError) -> JSONValue {
        let open = pos
        try enterCollection(at: open)
        pos += 1
        var items: [JSONValue] = []
        while true {
            try skipInsideFlow(open: open, kind: "sequence")
            if current == YAMLByte.rightBracket { break }
            let itemStart = pos
            let parent = enterNode(element: items.count, at: itemStart)
            let node = try parseFlowNode(open: open)
            try skipInsideFlow(open: open, kind: "sequence")
            if current == YAMLByte.colon {
                // `[key: value]`: a single-pair mapping as an entry.
                let key = try keyText(node, at: itemStart)
                pos += 1
                let member = enterNode(member: key, at: itemStart)
                let value = try parseFlowValue(open: open, kind: "sequence", end: YAMLByte.rightBracket)
                leaveNode(member)
                items.append(.object(JSONObject([(key, value)])))
                try skipInsideFlow(open: open, kind: "sequence")
            } else {
                items.append(try value(of: node, at: itemStart))
            }
            leaveNode(parent)
            if current == YAMLByte.comma {
                pos += 1
                continue
            }
            if current == YAMLByte.rightBracket { break }
            throw error("expected ',' or ']' in a flow sequence")
        }
        pos += 1
        leaveCollection()
        return .array(items)
    }

    private mutating func parseFlowMapping() throws(YAMLError) -> JSONValue {
        let open = pos
        try enterCollection(at: open)
        pos += 1
        var object = JSONObject()
        var keys = Set<String>()
        while true {
            try skipInsideFlow(open: open, kind: "mapping")
            if current == YAMLByte.rightBrace { break }
            let keyStart = pos
            if atIndicator(YAMLByte.question) { throw error("explicit mapping keys ('? ') are not supported") }
            let key = try keyText(try parseFlowNode(open: open), at: keyStart)
            guard keys.insert(key).inserted else {
                throw error("duplicate key \"\(key.prefix(60))\"", at: keyStart)
            }
            try skipInsideFlow(open: open, kind: "mapping")
            var value = JSONValue.null
            if current == YAMLByte.colon {
                pos += 1
                let parent = enterNode(member: key, at: keyStart)
                value = try parseFlowValue(open: open, kind: "mapping", end: YAMLByte.rightBrace)
                leaveNode(parent)
                try skipInsideFlow(open: open, kind: "mapping")
            } else if positions != nil {
                leaveNode(enterNode(member: key, at: keyStart))
            }
            object.members.append((key, value))
            if current == YAMLByte.comma {
                pos += 1
                continue
            }
            if current == YAMLByte.rightBrace { break }
            throw error("expected ',' or '}' in a flow mapping")
        }
        pos += 1
        leaveCollection()
        return .object(object)
    }

    /// The value after a `:` inside a flow collection; empty (null) before `,` or the end.
    private mutating func parseFlowValue(open: Int, kind: String, end: UInt8) throws(YAMLError) -> JSONValue {
        try skipInsideFlow(open: open, kind: kind)
        if current == YAMLByte.comma || current == end { return .null }
        let start = pos
        return try value(of: try parseFlowNode(open: open), at: start)
    }

    /// Skips white space, line breaks and comments inside a flow collection; the end of
    /// input or a document marker there means the collection was never closed.
    private mutating func skipInsideFlow(open: Int, kind: String) throws(YAMLError) {
        _ = try skipToContent(block: false)
        if atEnd || atAnyDocumentMarker() {
            throw error("unclosed flow \(kind): no matching '\(kind == "sequence" ? "]" : "}")'", at: open)
        }
    }

    private mutating func parseFlowNode(open: Int) throws(YAMLError) -> FlowNode {
        switch current {
        case YAMLByte.leftBracket, YAMLByte.leftBrace:
            return .collection(try parseFlowCollection())
        case YAMLByte.doubleQuote, YAMLByte.singleQuote:
            return .quoted(try parseQuotedScalar())
        case YAMLByte.pipe, YAMLByte.greater:
            throw error("block scalars ('|', '>') are not allowed inside a flow collection")
        case YAMLByte.minus where atIndicator(YAMLByte.minus):
            throw error("block sequence entries are not allowed inside a flow collection")
        case YAMLByte.comma:
            throw error("unexpected ','; a flow collection entry is missing")
        case YAMLByte.rightBracket, YAMLByte.rightBrace:
            throw error("unexpected '\(Character(Unicode.Scalar(current!)))' (does not match the open bracket)")
        case YAMLByte.hash:
            throw error("unexpected '#'; a comment must be preceded by a space")
        default:
            try checkPlainStart(flow: true)
            return .plain(try parsePlainScalar(flow: true, parentIndent: -1))
        }
    }

    private func value(of node: FlowNode, at start: Int) throws(YAMLError) -> JSONValue {
        switch node {
        case .plain(let text): return try typedPlainScalar(text, at: start)
        case .quoted(let text): return .string(text)
        case .collection(let value): return value
        }
    }

    /// A mapping key's text: plain scalars are taken as written (keys are not typed).
    private func keyText(_ node: FlowNode, at start: Int) throws(YAMLError) -> String {
        switch node {
        case .plain(let text):
            if text.elementsEqual("<<".utf8) {
                throw error("merge keys ('<<') are not supported; write the merged entries out", at: start)
            }
            return String(decoding: text, as: UTF8.self)
        case .quoted(let text):
            return text
        case .collection:
            throw error("a mapping key must be a scalar, not a flow collection", at: start)
        }
    }
}
