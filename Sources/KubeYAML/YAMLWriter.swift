#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// Writes `JSONValue` documents as YAML in block style, the way kubectl prints manifests.
///
/// - Two-space indentation; a sequence under a mapping key starts at the key's own
///   indentation (`key:\n- item`); a mapping in a sequence starts on the `- ` line.
/// - Object members keep their order.
/// - Empty collections are written `[]` and `{}`.
/// - A string is written plain only when every YAML reader (ours, and YAML 1.1 readers
///   such as kubectl's) reads it back as the same string; otherwise it is double-quoted
///   with escapes (`"true"`, `"123"`, `"yes"`, `""`, `"a: b"`, …). Multi-line strings use
///   a literal block scalar (`|`, `|-`, `|+`) when that reads back exactly.
///
/// `YAMLReader.readDocuments(write(documents: values)) == values` for every value whose
/// numbers are valid JSON number literals (as `JSONNumber` requires). Pure; no I/O.
package enum YAMLWriter {
    /// One document, ending with a line feed.
    package static func write(_ value: JSONValue) -> String {
        var writer = Emitter()
        writer.writeRoot(value)
        return writer.output
    }

    /// Several documents separated by `---` lines; empty text for no documents.
    package static func write(documents: [JSONValue]) -> String {
        var writer = Emitter()
        for (index, document) in documents.enumerated() {
            if index > 0 { writer.output += "---\n" }
            writer.writeRoot(document)
        }
        return writer.output
    }

    /// Builds the text of one or more documents.
    private struct Emitter {
        var output = ""

        mutating func writeRoot(_ value: JSONValue) {
            switch value {
            case .object(let object) where !object.members.isEmpty:
                writeMapping(object, indent: 0, firstLineStarted: false)
            case .array(let items) where !items.isEmpty:
                writeSequence(items, indent: 0, firstLineStarted: false)
            default:
                writeScalar(value, parentIndent: 0)
            }
        }

        /// Writes members with keys at column `indent`. When `firstLineStarted`, the first
        /// key goes on the current line (after `- `).
        mutating func writeMapping(_ object: JSONObject, indent: Int, firstLineStarted: Bool) {
            for (index, member) in object.members.enumerated() {
                if index > 0 || !firstLineStarted { writeIndent(indent) }
                output += YAMLScalarStyle.key(member.key)
                output += ":"
                switch member.value {
                case .object(let nested) where !nested.members.isEmpty:
                    output += "\n"
                    writeMapping(nested, indent: indent + 2, firstLineStarted: false)
                case .array(let items) where !items.isEmpty:
                    output += "\n"
                    writeSequence(items, indent: indent, firstLineStarted: false)
                default:
                    output += " "
                    writeScalar(member.value, parentIndent: indent)
                }
            }
        }

        /// Writes items with their `-` at column `indent`.
        mutating func writeSequence(_ items: [JSONValue], indent: Int, firstLineStarted: Bool) {
            for (index, item) in items.enumerated() {
                if index > 0 || !firstLineStarted { writeIndent(indent) }
                output += "- "
                switch item {
                case .object(let nested) where !nested.members.isEmpty:
                    writeMapping(nested, indent: indent + 2, firstLineStarted: true)
                case .array(let nested) where !nested.isEmpty:
                    writeSequence(nested, indent: indent + 2, firstLineStarted: true)
                default:
                    writeScalar(item, parentIndent: indent)
                }
            }
        }

        /// Writes a scalar or empty collection and the line feed after it. A block scalar's
        /// content goes two columns right of `parentIndent`, the enclosing collection's column.
        mutating func writeScalar(_ value: JSONValue, parentIndent: Int) {
            switch value {
            case .null: output += "null\n"
            case .bool(let flag): output += flag ? "true\n" : "false\n"
            case .number(let number):
                precondition(YAMLScalarStyle.isJSONNumber(number.literal), "JSONNumber literal is not a JSON number: \(number.literal)")
                output += number.literal + "\n"
            case .string(let text): output += YAMLScalarStyle.value(text, contentIndent: parentIndent + 2)
            case .array: output += "[]\n"
            case .object: output += "{}\n"
            }
        }

        mutating func writeIndent(_ count: Int) {
            output += String(repeating: " ", count: count)
        }
    }
}
