import ProxyCore
import ProxyIO

/// `sluice-controller`: dispatches to one subcommand per file. Kept out of `main.swift` so
/// closures handed to threads are not main-actor isolated (in Swift 6 mode, a closure written in
/// `main.swift` is, and crashes when a thread it was handed to runs it).
enum ControllerMain {
    static let version = "0.1.0"

    static let help = """
    sluice-controller — turns Sluice CRDs (LLMGateway, LLMBackend, LLMRoute, LLMConsumer,
    LLMGuardPolicy) into the proxy config each gateway's sidecars mount.

    Usage:
      sluice-controller run [--kubeconfig FILE] [--namespace NS] [--lease-namespace NS] [--identity ID]
                            [--metrics-address ADDR] [--no-webhook] [--webhook-address ADDR] [--once]
      sluice-controller webhook [--kubeconfig FILE] [--namespace NS] [--webhook-address ADDR]
                                [--webhook-cert FILE] [--webhook-key FILE]
      sluice-controller inject -f FILE|DIR|- [-f …] [--gateways FILE|DIR] [--config-map NAME] [--image IMAGE]
      sluice-controller render -f DIR|FILE [-f …] [--namespace NS]
      sluice-controller validate -f DIR|FILE [-f …] [--namespace NS]
      sluice-controller version

    Commands:
      run        reconcile a cluster: write one ConfigMap per LLMGateway and every resource's status;
                 also serves the admission webhook
      webhook    serve only the mutating admission webhook that injects the sidecar into pods
      inject     add the sidecar to the workloads of manifests (offline, like linkerd inject)
      render     print the ConfigMaps the manifests would produce, as YAML (for GitOps and CI)
      validate   print every problem in the manifests; exit 1 on any

    'sluice-controller COMMAND --help' describes a command. Exit codes: 0 ok, 1 invalid input
    or a failure, 2 usage error. The resources are described in docs/crds.md.
    """

    /// The subcommand named `name`; each takes its arguments without the command name.
    /// Add a command here (and to `help`) with its own `…Command.swift`.
    static func command(named name: String) -> (([String]) -> Int32)? {
        switch name {
        case "run": RunCommand.run
        case "render": RenderCommand.run
        case "validate": ValidateCommand.run
        case "webhook": WebhookCommand.run
        case "inject": InjectCommand.run
        default: nil
        }
    }

    static func run(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first else { return usage("no command given") }
        if first == "--help" || first == "-h" || first == "help" {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        if first == "version" || first == "--version" {
            StandardStreams.writeLine("sluice-controller \(version)", to: 1)
            return 0
        }
        guard let command = command(named: first) else { return usage("unknown command '\(first)'") }
        return command(Array(arguments.dropFirst()))
    }

    /// Prints a usage error and returns exit code 2.
    static func usage(_ message: String, command: String? = nil) -> Int32 {
        let hint = command.map { "sluice-controller \($0) --help" } ?? "sluice-controller --help"
        StandardStreams.writeLine("sluice-controller: \(message)\nTry '\(hint)'.")
        return 2
    }

    /// Parses flags the way every Sluice command does; `-f X` is `--file X`, and several
    /// `-f` flags are allowed (returned in order).
    static func parse(_ arguments: [String], valued: Set<String>, boolean: Set<String> = ["help"]) throws(CommandLineArguments.UsageError)
        -> (CommandLineArguments, files: [String]) {
        // A dangling -f is handed on as "--filename" alone, so the shared parser reports it.
        var files: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-f" || argument == "--filename" || argument == "--file" {
                guard index + 1 < arguments.count else {
                    _ = try CommandLineArguments(["--filename"], valued: ["filename"])
                    break
                }
                files.append(arguments[index + 1])
                index += 2
                continue
            }
            if argument.hasPrefix("--filename=") || argument.hasPrefix("-f=") {
                files.append(String(argument[argument.index(after: argument.firstIndex(of: "=")!)...]))
            } else if argument == "-n" {
                rest.append("--namespace")
            } else if argument == "-o" {
                rest.append("--output")
            } else {
                rest.append(argument)
            }
            index += 1
        }
        return (try CommandLineArguments(rest, valued: valued, boolean: boolean), files)
    }
}
