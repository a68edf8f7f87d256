import GatewayController
import ProxyCore
import ProxyIO

/// `sluice-controller validate -f DIR|FILE`: every problem in the manifests.
enum ValidateCommand {
    static let help = """
    sluice-controller validate — check Sluice manifests offline, the way the controller would in the cluster.

    Usage: sluice-controller validate -f DIR|FILE [-f …] [--namespace NS]

      -f, --filename PATH  a manifest file (JSON or YAML, several documents allowed) or a directory of them
      -n, --namespace NS   the namespace of objects that name none (default "default")
      --help               this text

    Checks every field, every reference (gateways, backends, Secrets and their keys, guard
    policies), regexes, weights, names, and that each gateway's rendered proxy config is valid.
    A field the sidecar does not enforce yet is a problem (reason UnsupportedValue). Prints one line
    per problem ("error: FILE:LINE:COLUMN: KIND NAMESPACE/NAME: PATH: MESSAGE (REASON)", the line
    and column of the field, or of its parent when it is missing; FILE#DOCUMENT for JSON files)
    and per field the proxy config expresses only approximately ("warning: …"). Exit codes: 0 no problems (warnings
    allowed), 1 problems, 2 usage error.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments, files: [String]
        do {
            (args, files) = try ControllerMain.parse(arguments, valued: ["namespace"])
        } catch {
            return ControllerMain.usage(error.description, command: "validate")
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard !files.isEmpty else { return ControllerMain.usage("validate needs -f DIR|FILE", command: "validate") }
        guard args.positional.isEmpty else { return ControllerMain.usage("unexpected argument '\(args.positional[0])'", command: "validate") }
        let loaded = ManifestFiles.load(files)
        let resources = ResourceSet.decode(loaded.objects, sources: loaded.sources, defaultNamespace: args.value("namespace") ?? "default")
        let translation = GatewayTranslator.translate(resources)
        let problems = loaded.problems(translation, of: resources)
        for problem in problems { StandardStreams.writeLine("error: \(problem)", to: 1) }
        for warning in loaded.warnings(translation, of: resources) { StandardStreams.writeLine("warning: \(warning)", to: 1) }
        let resourceCount = translation.statuses.count
        if problems.isEmpty {
            let programmed = translation.gateways.filter { $0.config != nil }.count
            StandardStreams.writeLine("valid: \(resourceCount) resources, \(programmed) of \(translation.gateways.count) gateways render a config"
                                      + (translation.warnings.isEmpty ? "" : ", \(translation.warnings.count) warnings"), to: 1)
            return 0
        }
        StandardStreams.writeLine("invalid: \(problems.count) problem\(problems.count == 1 ? "" : "s") in \(resourceCount) resources", to: 1)
        return 1
    }
}
