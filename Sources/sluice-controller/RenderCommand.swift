import GatewayController
import KubeYAML
import ProxyCore
import ProxyIO

/// `sluice-controller render -f DIR|FILE`: the ConfigMaps the manifests produce, as YAML.
enum RenderCommand {
    static let help = """
    sluice-controller render — print the ConfigMaps that Sluice manifests produce, as YAML documents.

    Usage: sluice-controller render -f DIR|FILE [-f …] [--namespace NS] [--output yaml|json]

      -f, --filename PATH  a manifest file (JSON or YAML, several documents allowed) or a directory of them
      -n, --namespace NS   the namespace of objects that name none (default "default"), as kubectl apply -n
      -o, --output FORMAT  yaml (default: one document per ConfigMap) or json (one v1 List)
      --help               this text

    The output is what 'sluice-controller run' would write to the cluster: one ConfigMap per
    LLMGateway that has a valid config, holding config.json. Secrets are referenced, never copied.
    Every problem is printed to stderr, and then the exit code is 1 (rules with problems are
    left out of the output, as in the cluster). A field the sidecar does not enforce yet (consumers,
    guard policies, the cache, Redis, access-log settings) is a problem too, reason UnsupportedValue.
    Warnings (fields the proxy config expresses only approximately) do not change the exit code. Exit codes: 0 ok, 1 problems, 2 usage error.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments, files: [String]
        do {
            (args, files) = try ControllerMain.parse(arguments, valued: ["namespace", "output"])
        } catch {
            return ControllerMain.usage(error.description, command: "render")
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard !files.isEmpty else { return ControllerMain.usage("render needs -f DIR|FILE", command: "render") }
        guard args.positional.isEmpty else { return ControllerMain.usage("unexpected argument '\(args.positional[0])'", command: "render") }
        let format = args.value("output") ?? "yaml"
        guard format == "yaml" || format == "json" else { return ControllerMain.usage("--output must be yaml or json", command: "render") }
        let loaded = ManifestFiles.load(files)
        let resources = ResourceSet.decode(loaded.objects, sources: loaded.sources, defaultNamespace: args.value("namespace") ?? "default")
        let translation = GatewayTranslator.translate(resources)
        let configMaps = translation.gateways.compactMap { ConfigMapBuilder.configMap($0) }
        if format == "json" {
            let list = JSONValue.object(JSONObject([("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .array(configMaps))]))
            StandardStreams.writeAll(1, JSONWriter.write(list, options: [.pretty]) + [UInt8(ascii: "\n")])
        } else if !configMaps.isEmpty {
            StandardStreams.writeAll(1, Array(YAMLWriter.write(documents: configMaps).utf8))
        }
        let problems = loaded.problems(translation, of: resources)
        for warning in loaded.warnings(translation, of: resources) { StandardStreams.writeLine("warning: \(warning)") }
        for problem in problems { StandardStreams.writeLine("error: \(problem)") }
        return problems.isEmpty ? 0 : 1
    }
}
