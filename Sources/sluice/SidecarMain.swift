import ConfigSource
import Glibc
import ProxyCore
import ProxyDataPlane
import ProxyHTTPServer
import ProxyIO

/// `sluice`: flags, wiring, lifecycle. Kept out of `main.swift` so closures handed to
/// loop threads are not main-actor isolated (a closure written in `main.swift` is, and crashes on another thread).
enum SidecarMain {
    static let version = "0.1.0"

    static let help = """
    sluice — the AI traffic sidecar: an OpenAI-compatible proxy in front of LLM providers.

    Usage:
      sluice [--config-dir DIR] [--secrets-dir DIR] [--workers N] [--drain-timeout D]
             [--no-access-log] [--access-log-sample-rate R]
      sluice validate FILE [--secrets-dir DIR]
      sluice version

      --config-dir DIR     directory holding config.json, watched for changes (default /etc/sluice/config)
      --secrets-dir DIR    directory holding the files credentials refer to, watched (default /etc/sluice/secrets)
      --workers N          event-loop threads (default 2)
      --drain-timeout D    on SIGTERM, how long in-flight requests and streams may finish (default 30s)
      --no-access-log      do not write the per-request JSON line on stdout
      --access-log-sample-rate R
                           log this share (0 to 1) of successful requests; failures are always logged (default 1)
      --help               this text

    validate checks a config file and prints every problem with its JSON path; with
    --secrets-dir it also checks that the credential and CA files exist. Exit codes:
    0 ok, 1 invalid input or config, 2 usage error. See docs/config.md.
    """

    static func run(_ arguments: [String]) -> Int32 {
        HeapTuning.returnLargeBuffersToTheKernel()
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, valued: ["config-dir", "secrets-dir", "workers", "drain-timeout", "access-log-sample-rate"],
                                            boolean: ["help", "no-access-log"])
        } catch {
            return usage(error.description)
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        switch args.positional.first {
        case nil, "run":
            return serve(args)
        case "validate":
            return validate(args)
        case "version":
            StandardStreams.writeLine("sluice \(version)", to: 1)
            return 0
        case let other?:
            return usage("unknown command '\(other)'")
        }
    }

    private static func usage(_ message: String) -> Int32 {
        StandardStreams.writeLine("sluice: \(message)\nTry 'sluice --help'.")
        return 2
    }

    private static func validate(_ args: CommandLineArguments) -> Int32 {
        guard args.positional.count == 2 else { return usage("validate takes exactly one FILE") }
        let path = args.positional[1]
        guard let bytes = FileBytes.read(path) else {
            StandardStreams.writeLine("sluice: cannot read \(path)")
            return 1
        }
        let secrets = args.value("secrets-dir")
        let loader = ConfigLoader(configDirectory: ".", secretsDirectory: secrets ?? ".")
        switch loader.load(bytes: bytes, displayName: path, checkSecrets: secrets != nil) {
        case .success(let loaded):
            let note = secrets == nil ? " (credential and CA files not checked: no --secrets-dir)" : ""
            StandardStreams.writeLine("\(path): valid, \(loaded.config.backends.count) backends, \(loaded.config.routes.count) routes\(note)", to: 1)
            return 0
        case .failure(let error):
            StandardStreams.writeLine(error.description, to: 1)
            return 1
        }
    }

    private static func serve(_ args: CommandLineArguments) -> Int32 {
        let workers: Int
        do {
            workers = try args.integer("workers", default: 2, in: 1...64)
        } catch {
            return usage(error.description)
        }
        var drainTimeout = ProxyDuration.seconds(30)
        if let text = args.value("drain-timeout") {
            guard let duration = ProxyDuration(parsing: text) else { return usage("--drain-timeout must be a duration such as 30s") }
            drainTimeout = duration
        }
        var sampleRate = 1.0
        if let text = args.value("access-log-sample-rate") {
            guard let rate = Double(text), rate >= 0, rate <= 1 else { return usage("--access-log-sample-rate must be a number from 0 to 1") }
            sampleRate = rate
        }
        let loader = ConfigLoader(configDirectory: args.value("config-dir") ?? "/etc/sluice/config",
                                  secretsDirectory: args.value("secrets-dir") ?? "/etc/sluice/secrets")
        let loaded: LoadedConfig
        switch loader.load() {
        case .success(let value): loaded = value
        case .failure(let error):
            StandardStreams.writeLine(DataPlaneEvents.fatal("invalid config: \(error.description)"))
            return 1
        }
        let dataPlane: DataPlane
        do {
            dataPlane = try DataPlane(initial: loaded, accessLog: !args.flag("no-access-log"), accessLogSampleRate: sampleRate,
                                      version: version)
        } catch {
            StandardStreams.writeLine(DataPlaneEvents.fatal("invalid config: \(error.description)"))
            return 1
        }
        let metrics = dataPlane.metrics
        let listeners = loaded.config.listeners
        func server(_ name: String, _ address: ListenerAddress, _ make: @escaping @Sendable (EventLoop) -> any HTTPRequestHandler) -> HTTPServer? {
            guard let socketAddress = SocketAddress(address.description) else { return nil }
            var configuration = HTTPServerConfiguration(name: name, address: socketAddress)
            configuration.limits.maxBodyBytes = loaded.config.defaults.maxRequestBodyBytes
            configuration.servesWhileDraining = name == "metrics"
            return HTTPServer(configuration: configuration, makeHandler: make)
        }
        guard let app = server("app", listeners.app, { dataPlane.makeAppHandler($0) }),
              let admin = server("admin", listeners.admin, { dataPlane.makeAdminHandler($0) }),
              let metricsServer = server("metrics", listeners.metrics, { dataPlane.makeMetricsHandler($0, metrics: metrics.render) })
        else {
            StandardStreams.writeLine(DataPlaneEvents.fatal("a listener address is not numeric"))
            return 1
        }
        do {
            let host = try HTTPServerHost(workers: workers, servers: [app, admin, metricsServer])
            // Config changes are watched, read, validated and built into snapshots on a loop of
            // their own, so no loop serving the app stalls on a reload; the result is posted to them.
            let control = try EventLoopGroup(count: 1)
            let watcherBox = WatcherBox()
            let watching = try CompletionLatch()
            control.start { loop in
                Self.returnMemoryEverySecond(dataPlane, on: loop)
                do {
                    // Consumers' key directories too: each may be a Secret volume of its own.
                    let keyDirectories = { dataPlane.consumerKeysDirectories.map { loader.secretsDirectory + "/" + $0 } }
                    watcherBox.watcher = try DirectoryWatcher(loop: loop, directories: [loader.configDirectory, loader.secretsDirectory]
                                                                  + keyDirectories()) {
                        dataPlane.reload(using: loader)
                        for directory in keyDirectories() { watcherBox.watcher?.watch(directory) }
                    }
                } catch {
                    StandardStreams.writeLine(DataPlaneEvents.fatal("cannot watch the config: \(error)"))
                    exit(1)
                }
                watching.signal()
            }
            // The watch is set before the sidecar says it is ready: no change is missed.
            guard watching.wait(milliseconds: 10_000) else {
                StandardStreams.writeLine(DataPlaneEvents.fatal("the config watcher did not start"))
                return 1
            }
            try host.start()
            dataPlane.setReady(true)
            StandardStreams.writeLine(#"{"event":"ready","config_hash":"\#(loaded.hashHex)"}"#)
            let status = host.runUntilSignalled(drainTimeout: drainTimeout) { dataPlane.setReady(false) }
            control.stopAndJoin()
            return status
        } catch {
            StandardStreams.writeLine(DataPlaneEvents.fatal("\(error)"))
            return 1
        }
    }
}

extension SidecarMain {
    /// A burst of large bodies must not keep its memory after it ended (the control loop).
    static func returnMemoryEverySecond(_ dataPlane: DataPlane, on loop: EventLoop) {
        loop.schedule(after: .seconds(1)) {
            dataPlane.returnMemoryAfterBursts()
            returnMemoryEverySecond(dataPlane, on: loop)
        }
    }
}

/// Holds the directory watcher for the life of the process.
///
/// `@unchecked Sendable`: written once on the control loop during set-up and never read elsewhere.
final class WatcherBox: @unchecked Sendable {
    var watcher: DirectoryWatcher?
}

/// Operational events the main writes before the data plane exists.
enum DataPlaneEvents {
    static func fatal(_ message: String) -> String {
        var line: [UInt8] = Array(#"{"event":"fatal","error":"#.utf8)
        JSONWriter.appendString(message, to: &line)
        line += "}".utf8
        return String(decoding: line, as: UTF8.self)
    }
}
