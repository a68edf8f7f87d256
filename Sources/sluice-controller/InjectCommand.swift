import GatewayController
import KubeYAML
import ProxyCore
import ProxyIO

/// `sluice-controller inject -f FILE|-`: the manifests with the sidecar added, as YAML.
enum InjectCommand {
    static let help = """
    sluice-controller inject — add the Sluice sidecar to the workloads of manifests, like 'linkerd inject'.

    Usage: sluice-controller inject -f FILE|DIR|- [-f …] [--gateways FILE|DIR] [--config-map NAME]
                                    [--image IMAGE] [--namespace NS]

      -f, --filename PATH  manifests (JSON or YAML, several documents allowed), a directory of them,
                           or - for standard input
      --gateways PATH      more Sluice manifests (LLMGateway, LLMBackend, LLMRoute, LLMConsumer,
                           LLMGuardPolicy, Secret) to choose gateways from; read, not written out
      --config-map NAME    for workloads no LLMGateway of the input selects: mount this ConfigMap
                           (as 'render' names it: sluice-<gateway>), without Secret mounts
      --image IMAGE        the sidecar image (default: SLUICE_SIDECAR_IMAGE, else ghcr.io/sluice-dev/sluice:\(InjectionSettings.version))
      -n, --namespace NS   the namespace of objects that name none (default "default")
      --help               this text

    Every document is written back to standard output, as YAML, in order: the pod template of
    each Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and
    CronJob gets the sidecar unless it opts out (sluice.dev/inject: disabled), already has it, or
    uses hostNetwork (written unchanged, with a warning); other kinds are written unchanged.
    Asking for injection is the opt-in. The base URLs go to the app containers (not istio-proxy,
    linkerd-proxy…; or those named by sluice.dev/app-containers), unless they set them in env or
    through an envFrom ConfigMap or Secret of the input; one not in the input may set them, so they
    are left alone, with a warning. A grace period shorter than the sidecar's drain is raised.

    The sidecar mounts the ConfigMap of the LLMGateway, in the workload's namespace, whose
    podSelector selects the pod template's labels: the gateways of the input (and of
    --gateways) are translated as 'render' does, and the ConfigMap's name and Secret mounts come
    from the result. A workload selected by no gateway needs --config-map; one selected by two
    gateways is an error. On any error nothing is written and the exit code is 1: errors in the
    manifests (with their line and column), translation problems, a workload without a gateway,
    a container that declares one of the sidecar's ports.
    The sidecar's resources come from SLUICE_SIDECAR_RESOURCES, its pull policy from
    SLUICE_SIDECAR_IMAGE_PULL_POLICY, as for the webhook. Exit codes: 0 ok, 1 errors, 2 usage error.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments, files: [String]
        do {
            (args, files) = try ControllerMain.parse(arguments, valued: ["namespace", "gateways", "config-map", "image"])
        } catch {
            return ControllerMain.usage(error.description, command: "inject")
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard !files.isEmpty else { return ControllerMain.usage("inject needs -f FILE|DIR|-", command: "inject") }
        guard args.positional.isEmpty else { return ControllerMain.usage("unexpected argument '\(args.positional[0])'", command: "inject") }
        guard files.filter({ $0 == "-" }).count <= 1 else { return ControllerMain.usage("standard input (-f -) can be read once", command: "inject") }
        if let name = args.value("config-map"), !isObjectName(name) {
            return ControllerMain.usage("--config-map must be a ConfigMap name (lowercase letters, digits, '-' and '.')", command: "inject")
        }
        if let image = args.value("image"), image.isEmpty || image.contains(where: \.isWhitespace) {
            return ControllerMain.usage("--image must be an image reference such as ghcr.io/sluice-dev/sluice:\(InjectionSettings.version)", command: "inject")
        }
        var base: InjectionSettings
        do {
            base = try InjectionEnvironment.baseSettings()
        } catch {
            StandardStreams.writeLine("error: \(error.message)")
            return 1
        }
        if let image = args.value("image") { base.image = image }
        let defaultNamespace = args.value("namespace") ?? "default"

        let loaded = ManifestFiles.load(files)
        let extra = args.value("gateways").map { ManifestFiles.load([$0]) } ?? ManifestFiles.Loaded()
        var errors = loaded.errors + extra.errors
        guard errors.isEmpty else { return fail(errors) }

        let resources = ResourceSet.decode(loaded.objects + extra.objects, sources: loaded.sources + extra.sources,
                                           defaultNamespace: defaultNamespace)
        let translation = GatewayTranslator.translate(resources)
        errors += translation.unnamedProblems + translation.problems.map(\.description)
        var configMaps: [String: JSONValue] = [:]
        for rendered in translation.gateways {
            if let object = ConfigMapBuilder.configMap(rendered) { configMaps["\(rendered.gateway.meta.namespace)/\(rendered.configMapName)"] = object }
        }

        var output: [JSONValue] = []
        var warnings: [String] = []
        for object in loaded.objects {
            let described = PodGatewaySelection.describe(object, defaultNamespace: defaultNamespace)
            // Workloads that opt out, already have the sidecar or use hostNetwork need no gateway.
            if let decided = WorkloadInjector.screen(object) {
                if case .skipped(let reason) = decided { warnings.append("\(described): not injected: \(reason)") }
                output.append(object)
                continue
            }
            guard let template = PodGatewaySelection.podTemplate(of: object) else {
                preconditionFailure("WorkloadInjector.screen passed \(described), which has no pod template")
            }
            let namespace = PodGatewaySelection.namespace(of: object) ?? defaultNamespace
            let labels = PodGatewaySelection.podLabels(of: template)
            var settings: InjectionSettings
            if PodGatewaySelection.selecting(resources.gateways, namespace: namespace, podLabels: labels).isEmpty,
               let name = args.value("config-map") {
                settings = base
                settings.configMapName = name
            } else {
                switch PodGatewaySelection.settings(namespace: namespace, podLabels: labels, gateways: resources.gateways,
                                                    configMap: { configMaps["\($0)/\($1)"] }, base: base) {
                case .success(let found): settings = found
                case .failure(let noGateway):
                    let hint = resources.gateways.isEmpty
                        ? "; give the gateway's manifests (in -f or --gateways FILE) or its ConfigMap (--config-map NAME)" : ""
                    errors.append("\(described): \(noGateway.reason)\(hint)")
                    continue
                }
            }
            let envSources = EnvSources.visible(in: loaded.objects + extra.objects, namespace: namespace, defaultNamespace: defaultNamespace)
            switch WorkloadInjector.inject(object, settings: settings, envSources: envSources) {
            case .injected(let injected, let notes):
                output.append(injected)
                warnings += notes.map { "\(described): \($0)" }
            case .refused(let reason):
                errors.append("\(described): \(reason)")
            case .unchanged, .skipped:
                output.append(object)
            }
        }
        for warning in warnings { StandardStreams.writeLine("warning: \(warning)") }
        for warning in translation.warnings { StandardStreams.writeLine("warning: \(warning)") }
        guard errors.isEmpty else { return fail(errors) }
        if !output.isEmpty { StandardStreams.writeAll(1, Array(YAMLWriter.write(documents: output).utf8)) }
        return 0
    }

    private static func fail(_ errors: [String]) -> Int32 {
        for error in errors { StandardStreams.writeLine("error: \(error)") }
        StandardStreams.writeLine("sluice-controller inject: nothing written (\(errors.count) error\(errors.count == 1 ? "" : "s"))")
        return 1
    }

    /// A DNS subdomain name (RFC 1123), as Kubernetes names ConfigMaps.
    private static func isObjectName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        func alphanumeric(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
