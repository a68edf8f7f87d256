import GatewayController
import Glibc
import KubeYAML
import ProxyCore
import ProxyIO

/// Reads manifests from files and directories for `render` and `validate`: JSON or YAML,
/// several documents per file, `List` objects unwrapped, directories read one level deep
/// (`*.yaml`, `*.yml`, `*.json`, in name order), as `kubectl apply -f DIR` does; `-` is
/// standard input. Remembers where each object was written, so problems name a file, line
/// and column.
enum ManifestFiles {
    struct Loaded {
        var objects: [JSONValue] = []
        /// Where each object of `objects` came from.
        var origins: [Origin] = []
        /// Files that could not be read or parsed.
        var errors: [String] = []

        /// `FILE:LINE:COLUMN: ` of the node a problem points at (the nearest one written, for a
        /// missing field), or `FILE#DOCUMENT: ` for JSON input; empty if the resource is unknown.
        func location(of problem: TranslationProblem, in resources: ResourceSet) -> String {
            guard let index = resources.objectIndices[problem.resource] else { return "" }
            return origins[index].location(of: problem.path) + ": "
        }

        /// `sources` for `ResourceSet.decode`: where each object starts.
        var sources: [String] { origins.map { $0.location(of: "") } }

        /// Every problem of a translation as `render` and `validate` print them, located.
        func problems(_ translation: Translation, of resources: ResourceSet) -> [String] {
            errors + translation.unnamedProblems + translation.problems.map { location(of: $0, in: resources) + $0.description }
        }

        /// Every warning of a translation, located.
        func warnings(_ translation: Translation, of resources: ResourceSet) -> [String] {
            translation.warnings.map { location(of: $0, in: resources) + $0.description }
        }
    }

    /// Where one object was written.
    struct Origin {
        /// The file as given, or "standard input".
        var file: String
        /// `#2`, `#1.items[3]`: which document (and List item) of the file; empty for a file of one.
        var document: String
        /// Where the object's nodes are, for YAML; nil for JSON.
        var positions: YAMLDocument?
        /// The JSON path of the object inside its document (`items[3]` in a List).
        var pathPrefix: String

        /// `file:line:column` of the node at `path` (from the object's root) or its nearest
        /// written ancestor; `file#document` without positions.
        func location(of path: String) -> String {
            let full = pathPrefix.isEmpty ? path : path.isEmpty ? pathPrefix : pathPrefix + "." + path
            if let position = positions?.position(of: full) { return "\(file):\(position)" }
            return file + document
        }
    }

    static func load(_ paths: [String]) -> Loaded {
        var loaded = Loaded()
        for path in paths {
            if FileBytes.isDirectory(path) {
                let names = FileBytes.visibleNames(in: path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
                if names.isEmpty { loaded.errors.append("\(path): no .yaml, .yml or .json files") }
                for name in names { read(path.hasSuffix("/") ? path + name : path + "/" + name, into: &loaded) }
            } else {
                read(path, into: &loaded)
            }
        }
        return loaded
    }

    private static func read(_ path: String, into loaded: inout Loaded) {
        // `-` is standard input, as in kubectl.
        let name = path == "-" ? "standard input" : path
        guard let bytes = FileBytes.read(path == "-" ? "/dev/stdin" : path, maxBytes: 16 << 20) else {
            loaded.errors.append(path == "-" ? "standard input: cannot read it (or it is larger than 16 MiB)" : "\(path): cannot read the file")
            return
        }
        let documents: [(value: JSONValue, positions: YAMLDocument?)]
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            do {
                let value = try JSONParser.parse(bytes, options: .init(maxDepth: 64, rejectDuplicateKeys: true))
                documents = (value.arrayElements ?? [value]).map { ($0, nil) }
            } catch {
                loaded.errors.append("\(name): \(error)")
                return
            }
        } else {
            do {
                documents = try YAMLReader.readDocumentsWithPositions(bytes).map { ($0.value, $0) }
            } catch {
                loaded.errors.append("\(name): \(error)")
                return
            }
        }
        for (index, document) in documents.enumerated() {
            let value = document.value
            if value.fieldValue("kind") == .string("List") || value.fieldValue("kind")?.stringText?.hasSuffix("List") == true,
               let items = value.fieldValue("items")?.arrayElements {
                for (itemIndex, item) in items.enumerated() {
                    loaded.objects.append(item)
                    loaded.origins.append(Origin(file: name, document: "#\(index + 1).items[\(itemIndex)]", positions: document.positions,
                                                 pathPrefix: JSONPath.element("items", itemIndex)))
                }
            } else {
                loaded.objects.append(value)
                loaded.origins.append(Origin(file: name, document: documents.count == 1 ? "" : "#\(index + 1)", positions: document.positions,
                                             pathPrefix: ""))
            }
        }
    }
}

extension JSONValue {
    fileprivate func fieldValue(_ key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    fileprivate var arrayElements: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    fileprivate var stringText: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }
}
