import GatewayController
import Glibc
import KubeAPI
import ProxyCore
import ProxyHTTPServer
import ProxyIO
import Synchronization

/// `sluice-controller run`: reconcile a cluster until SIGTERM (or once, with `--once`).
enum RunCommand {
    static let help = """
    sluice-controller run — reconcile Sluice resources into one ConfigMap per LLMGateway, and report
    on every resource in status conditions and Events.

    Usage: sluice-controller run [--kubeconfig FILE] [--namespace NS] [--lease-namespace NS] [--identity ID]
                                 [--metrics-address ADDR] [--no-webhook] [--webhook-address ADDR]
                                 [--webhook-cert FILE] [--webhook-key FILE] [--once]

      --kubeconfig FILE       a kubeconfig (YAML or JSON); without it: in-cluster when KUBERNETES_SERVICE_HOST
                              is set, else KUBECONFIG, else ~/.kube/config
      --namespace NS          watch only this namespace (default: all namespaces)
      --lease-namespace NS    where the leader-election Lease "sluice-controller" lives
                              (default: --namespace, else the kubeconfig's or service account's namespace)
      --identity ID           this replica's name in the Lease and in Events (default: HOSTNAME-PID)
      --metrics-address ADDR  /metrics, /healthz, /readyz (default 0.0.0.0:8080; port 0 picks a free port)
      --workers N             reconciles in parallel (default 2)
      --lease-duration D      how long a Lease is valid without renewal (default 15s); also
      --renew-deadline D      (default 10s) and --retry-period D (default 2s), as in client-go
      --watch-timeout D       how long one watch request lasts before it is renewed (default 5m)
      --no-webhook            do not serve the admission webhook (also: SLUICE_WEBHOOK_ENABLED=false)
    \(WebhookServer.flagHelp)
      --once                  list everything, reconcile every gateway once, and exit: 0 if every write
                              succeeded, 1 otherwise (still takes the Lease, so it never races a leader)
      --help                  this text

    Only the replica holding the Lease writes; the others keep their caches warm and take over
    when it is released or expires. Every replica serves the admission webhook (as
    'sluice-controller webhook' does, from the same caches) unless it is turned off. Writes: ConfigMaps (labelled app.kubernetes.io/managed-by:
    sluice-controller, owned by their gateway), the status subresource of every Sluice resource,
    core/v1 Events for failures. Logs are JSON lines on stderr. Exit codes: 0 ok, 1 failure
    (e.g. no cluster configuration), 2 usage error.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments
        do {
            (args, _) = try ControllerMain.parse(arguments, valued: Set(["kubeconfig", "namespace", "lease-namespace", "identity", "metrics-address",
                                                                     "workers", "lease-duration", "renew-deadline", "retry-period", "watch-timeout"])
                                                     .union(WebhookServer.flagNames),
                                                 boolean: ["help", "once", "no-webhook"])
        } catch {
            return ControllerMain.usage(error.description, command: "run")
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard args.positional.isEmpty else { return ControllerMain.usage("unexpected argument '\(args.positional[0])'", command: "run") }
        var durations: [String: ProxyDuration] = ["lease-duration": .seconds(15), "renew-deadline": .seconds(10), "retry-period": .seconds(2),
                                                  "watch-timeout": .seconds(300)]
        for name in durations.keys.sorted() {
            guard let text = args.value(name) else { continue }
            guard let value = ProxyDuration(parsing: text), value > .zero else { return ControllerMain.usage("--\(name) must be a duration such as 2s", command: "run") }
            durations[name] = value
        }
        guard durations["renew-deadline"]! < durations["lease-duration"]!, durations["lease-duration"]! >= .seconds(1) else {
            return ControllerMain.usage("--renew-deadline must be shorter than --lease-duration (at least 1s)", command: "run")
        }
        let workers: Int
        do { workers = try args.integer("workers", default: 2, in: 1...32) } catch { return ControllerMain.usage(error.description, command: "run") }
        guard let metricsAddress = SocketAddress(args.value("metrics-address") ?? "0.0.0.0:8080") else {
            return ControllerMain.usage("--metrics-address must be HOST:PORT with a numeric host", command: "run")
        }
        guard let webhookOptions = WebhookServer.options(args) else { return ControllerMain.usage(WebhookServer.addressUsage, command: "run") }
        let webhookEnabled = !args.flag("no-webhook") && !args.flag("once")
            && Environment.get("SLUICE_WEBHOOK_ENABLED")?.lowercased() != "false"

        ControllerLog.setSink { StandardStreams.writeAll(2, $0) }
        let injectionDefaults: InjectionSettings
        do {
            injectionDefaults = try InjectionEnvironment.baseSettings()
        } catch {
            fatal(error.message)
            return 1
        }
        let config: KubeConfig
        do {
            config = try loadConfig(args.value("kubeconfig"))
        } catch {
            fatal("no cluster configuration: \(error.message)")
            return 1
        }
        let client = KubeClient(config: config)
        let namespace = args.value("namespace")
        let identity = args.value("identity") ?? defaultIdentity()
        let clock = MonotonicClock()
        let registry = MetricsRegistry()
        let reconciler = GatewayReconciler(client: client, options: .init(namespace: namespace, identity: identity, workers: workers),
                                           clock: clock, registry: registry,
                                           watchTimeoutSeconds: Int(max(1, durations["watch-timeout"]!.milliseconds / 1000)))
        let leaseConfiguration = LeaderElector.Configuration(
            leaseName: "sluice-controller", namespace: args.value("lease-namespace") ?? namespace ?? client.defaultNamespace, identity: identity,
            leaseDuration: durations["lease-duration"]!, renewDeadline: durations["renew-deadline"]!, retryPeriod: durations["retry-period"]!)
        let elector = LeaderElector(client: client, configuration: leaseConfiguration, clock: clock, onStartedLeading: {
            event("started_leading", identity: identity)
            reconciler.enqueueAll()
        }, onStoppedLeading: {
            event("stopped_leading", identity: identity)
        })
        reconciler.setLeaderCheck { elector.isLeader }

        if args.flag("once") { return runOnce(reconciler, elector: elector, identity: identity) }

        let host: HTTPServerHost
        let watcherBox = CertificateWatcherBox()
        do {
            let server = HTTPServer(configuration: HTTPServerConfiguration(name: "metrics", address: metricsAddress)) { _ in
                ControllerEndpoints(registry: registry, isReady: { reconciler.caches.hasSynced })
            }
            var servers = [server]
            var tls: TLSServerContext?
            if webhookEnabled {
                let caches = reconciler.caches
                let handler = AdmissionReviewHandler(settings: WebhookServer.settingsLookup(
                    gateways: caches.informers[.gateway]!, configMaps: caches.configMaps, base: injectionDefaults))
                let (webhook, context) = try WebhookServer.make(webhookOptions, handler: handler)
                servers.append(webhook)
                tls = context
            }
            host = try HTTPServerHost(workers: 1, servers: servers)
            let watched = tls
            try host.start { loop in
                if loop.index == 0, let tls = watched { WebhookServer.watchCertificates(tls, on: loop, box: watcherBox) }
            }
        } catch let error as TLSError {
            fatal("the webhook's certificate (turn the webhook off with --no-webhook or SLUICE_WEBHOOK_ENABLED=false): \(error.description)")
            return 1
        } catch {
            fatal("cannot serve metrics on \(metricsAddress) or the webhook on \(webhookOptions.address): \(error)")
            return 1
        }
        let informers = Task.detached { await reconciler.runInformers() }
        let work = Task.detached {
            await reconciler.waitForSync()
            event("synced", identity: identity)
            reconciler.enqueueAll()
            await reconciler.runWorkers()
        }
        let election = Task.detached { await elector.run() }
        let status = host.runUntilSignalled(drainTimeout: .seconds(1))
        // Give the Lease up first, so a standby takes over at once instead of after it expires.
        election.cancel()
        wait(for: election, milliseconds: 5000)
        reconciler.queue.shutDown()
        informers.cancel()
        work.cancel()
        wait(for: work, milliseconds: 5000)
        return status
    }

    /// Lists, takes the Lease once, reconciles every key once, releases the Lease.
    private static func runOnce(_ reconciler: GatewayReconciler, elector: LeaderElector, identity: String) -> Int32 {
        let result = Atomic<Int32>(1)
        let done = Task.detached {
            let informers = Task { await reconciler.runInformers() }
            defer { informers.cancel() }
            let synced = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await reconciler.waitForSync(); return true }
                group.addTask { try? await Task.sleep(nanoseconds: 30_000_000_000); return false }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            guard synced else {
                fatal("the informers did not list within 30s")
                return
            }
            guard await elector.tryAcquireOrRenew() else {
                fatal("another replica (\(elector.observedHolder ?? "?")) holds the Lease; not writing")
                return
            }
            let ok = await reconciler.reconcileAllOnce()
            await elector.release()
            event(ok ? "reconciled_once" : "reconcile_once_failed", identity: identity)
            result.store(ok ? 0 : 1, ordering: .relaxed)
        }
        wait(for: done, milliseconds: 120_000)
        return result.load(ordering: .relaxed)
    }

    static func loadConfig(_ path: String?) throws(KubeConfigError) -> KubeConfig {
        if let path { return try KubeConfig.load(file: path) }
        if Environment.get("KUBERNETES_SERVICE_HOST") != nil { return try KubeConfig.inCluster() }
        return try KubeConfig.loadDefault()
    }

    private static func defaultIdentity() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "sluice-controller"
        return "\(host)-\(getpid())"
    }

    /// Blocks the calling (main) thread until `task` ends or the time passes.
    private static func wait(for task: Task<Void, Never>, milliseconds: Int32) {
        guard let latch = try? CompletionLatch() else { return }
        Task.detached {
            await task.value
            latch.signal()
        }
        _ = latch.wait(milliseconds: milliseconds)
    }

    static func event(_ name: String, identity: String) {
        var line: [UInt8] = Array(#"{"event":"#.utf8)
        JSONWriter.appendString(name, to: &line)
        line += #","identity":"#.utf8
        JSONWriter.appendString(identity, to: &line)
        line += "}".utf8
        StandardStreams.writeLine(String(decoding: line, as: UTF8.self))
    }

    static func fatal(_ message: String) {
        var line: [UInt8] = Array(#"{"event":"fatal","error":"#.utf8)
        JSONWriter.appendString(message, to: &line)
        line += "}".utf8
        StandardStreams.writeLine(String(decoding: line, as: UTF8.self))
    }
}
