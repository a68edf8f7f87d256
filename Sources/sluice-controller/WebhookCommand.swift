import GatewayController
import KubeAPI
import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// `sluice-controller webhook`: only the admission webhook, with its own read-only caches.
enum WebhookCommand {
    static let help = """
    sluice-controller webhook — serve the mutating admission webhook that injects the Sluice sidecar
    into pods (docs/injection.md), without reconciling anything.

    Usage: sluice-controller webhook [--kubeconfig FILE] [--namespace NS] [--webhook-address ADDR]
                                     [--webhook-cert FILE] [--webhook-key FILE] [--metrics-address ADDR]

      --kubeconfig FILE       a kubeconfig (YAML or JSON); without it: in-cluster when KUBERNETES_SERVICE_HOST
                              is set, else KUBECONFIG, else ~/.kube/config
      --namespace NS          read the gateways of this namespace only (default: all namespaces)
    \(WebhookServer.flagHelp)
      --metrics-address ADDR  /metrics, /healthz, /readyz (default 0.0.0.0:8080; port 0 picks a free port)
      --watch-timeout D       how long one watch request lasts before it is renewed (default 5m)
      --help                  this text

    HTTPS, TLS 1.2+: POST /mutate-pods takes an admission.k8s.io/v1 AdmissionReview and answers
    with a JSONPatch that adds the sidecar configured by the LLMGateway whose podSelector selects
    the pod (its ConfigMap, Secret mounts and ports). A pod no gateway selects is admitted
    unchanged, with a warning. Lists and watches LLMGateways and the controller's ConfigMaps, and
    writes nothing: every replica serves admission, no leader election ('run' serves the same
    webhook next to the reconciler). The sidecar image and resources come from
    SLUICE_SIDECAR_IMAGE, SLUICE_SIDECAR_IMAGE_PULL_POLICY and SLUICE_SIDECAR_RESOURCES.
    Logs are JSON lines on stderr. Exit codes: 0 ok, 1 failure (no cluster configuration,
    unusable certificate), 2 usage error.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments
        do {
            (args, _) = try ControllerMain.parse(arguments, valued: WebhookServer.flagNames.union(["kubeconfig", "namespace", "metrics-address", "watch-timeout"]))
        } catch {
            return ControllerMain.usage(error.description, command: "webhook")
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard args.positional.isEmpty else { return ControllerMain.usage("unexpected argument '\(args.positional[0])'", command: "webhook") }
        guard let options = WebhookServer.options(args) else { return ControllerMain.usage(WebhookServer.addressUsage, command: "webhook") }
        guard let metricsAddress = SocketAddress(args.value("metrics-address") ?? "0.0.0.0:8080") else {
            return ControllerMain.usage("--metrics-address must be HOST:PORT with a numeric host", command: "webhook")
        }
        var watchTimeout = 300
        if let text = args.value("watch-timeout") {
            guard let value = ProxyDuration(parsing: text), value >= .seconds(1) else {
                return ControllerMain.usage("--watch-timeout must be a duration of at least 1s", command: "webhook")
            }
            watchTimeout = Int(value.milliseconds / 1000)
        }

        ControllerLog.setSink { StandardStreams.writeAll(2, $0) }
        let base: InjectionSettings
        do {
            base = try InjectionEnvironment.baseSettings()
        } catch {
            RunCommand.fatal(error.message)
            return 1
        }
        let config: KubeConfig
        do {
            config = try RunCommand.loadConfig(args.value("kubeconfig"))
        } catch {
            RunCommand.fatal("no cluster configuration: \(error.message)")
            return 1
        }
        let client = KubeClient(config: config)
        let namespace = args.value("namespace")
        let gateways = Informer(client: client, resource: ResourceKind.gateway.resource, namespace: namespace,
                                watchTimeoutSeconds: watchTimeout) { _ in }
        let configMaps = Informer(client: client, resource: .configMaps, namespace: namespace,
                                  labelSelector: "\(ConfigMapBuilder.managedByLabel)=\(ConfigMapBuilder.managedByValue)",
                                  watchTimeoutSeconds: watchTimeout) { _ in }
        let handler = AdmissionReviewHandler(settings: WebhookServer.settingsLookup(gateways: gateways, configMaps: configMaps, base: base))
        let registry = MetricsRegistry()
        let host: HTTPServerHost
        let watcherBox = CertificateWatcherBox()
        do {
            let (webhook, tls) = try WebhookServer.make(options, handler: handler)
            let metrics = HTTPServer(configuration: HTTPServerConfiguration(name: "metrics", address: metricsAddress)) { _ in
                ControllerEndpoints(registry: registry, isReady: { gateways.hasSynced && configMaps.hasSynced })
            }
            host = try HTTPServerHost(workers: 1, servers: [metrics, webhook])
            try host.start { loop in
                if loop.index == 0 { WebhookServer.watchCertificates(tls, on: loop, box: watcherBox) }
            }
        } catch let error as TLSError {
            RunCommand.fatal("the webhook's certificate: \(error.description)")
            return 1
        } catch {
            RunCommand.fatal("cannot serve the webhook on \(options.address) or metrics on \(metricsAddress): \(error)")
            return 1
        }
        let informers = Task.detached {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await gateways.run() }
                group.addTask { await configMaps.run() }
            }
        }
        let status = host.runUntilSignalled(drainTimeout: .seconds(1))
        informers.cancel()
        return status
    }
}
