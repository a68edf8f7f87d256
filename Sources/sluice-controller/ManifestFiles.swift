import GatewayController
import Glibc
import KubeYAML
import ProxyCore
import ProxyIO

/// Reads manifests from files and directories for `render` and `validate`: JSON or YAML,
/// several documents per file, `List` objects unwrapped, directories read one level deep
/// (`*.yaml`, `*.yml`, `*.json`, in name order), as `kubectl apply -f DIR` does; `-` is
/// standard input.
enum ManifestFiles {
    struct Loaded {
        var objects: [JSONValue] = []
        /// `file#document` for each object, for messages.
        var sources: [String] = []
        /// Files that could not be read or parsed.
        var errors: [String] = []
    }

    static func load(_ paths: [String]) -> Loaded {
        var loaded = Loaded()
        for path in paths {
            if isDirectory(path) {
                let names = listDirectory(path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
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
        let documents: [JSONValue]
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        do {
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                let value = try JSONParser.parse(bytes, options: .init(maxDepth: 64, rejectDuplicateKeys: true))
                documents = value.arrayElements ?? [value]
            } else {
                documents = try YAMLReader.readDocuments(bytes)
            }
        } catch {
            loaded.errors.append("\(name): \(error)")
            return
        }
        for (index, document) in documents.enumerated() {
            if document.fieldValue("kind") == .string("List") || document.fieldValue("kind")?.stringText?.hasSuffix("List") == true,
               let items = document.fieldValue("items")?.arrayElements {
                for (itemIndex, item) in items.enumerated() {
                    loaded.objects.append(item)
                    loaded.sources.append("\(name)#\(index + 1).items[\(itemIndex)]")
                }
            } else {
                loaded.objects.append(document)
                loaded.sources.append(documents.count == 1 ? name : "\(name)#\(index + 1)")
            }
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
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
