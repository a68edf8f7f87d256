import Glibc
import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// `sluice-mock`: flags, wiring, lifecycle. Kept out of `main.swift` so the closures
/// handed to loop threads are not main-actor isolated (a closure written in `main.swift` is, and crashes on another thread).
enum MockMain {
    static let help = """
    sluice-mock — a mock LLM provider (OpenAI- and Anthropic-compatible) for tests, demos and benchmarks.

    Usage: sluice-mock [--listen HOST:PORT] [--models FILE] [--workers N]

      --listen HOST:PORT  where to listen (default 127.0.0.1:8081; port 0 picks a free port)
      --models FILE       per-model behaviour, JSON: {"models": {"name": {"ttft": "200ms", ...}, "*": {...}}}
      --workers N         event-loop threads (default 1)
      --header-timeout D  time to receive a request head (default 10s)
      --body-timeout D    longest pause while receiving a body (default 30s)
      --idle-timeout D    keep-alive idle time (default 60s)
      --write-timeout D   longest write stall before the connection is dropped (default 30s)
      --drain-timeout D   on SIGTERM, how long in-flight requests may finish (default 10s)
      --tls-cert FILE     serve HTTPS with this PEM certificate chain (with --tls-key)
      --tls-key FILE      the PEM private key for --tls-cert
      --help              this text

    Endpoints: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages; GET /v1/models;
    GET /__mock/stats (what was received); POST /__mock/reset; GET /healthz.
    Per-request behaviour: x-mock-latency, x-mock-ttft, x-mock-tokens-per-second, x-mock-output-tokens,
    x-mock-reasoning-tokens, x-mock-status, x-mock-retry-after, x-mock-retry-after-ms, x-mock-fail-first,
    x-mock-reset (before|mid), x-mock-reset-after-tokens, x-mock-truncate, x-mock-drop-done,
    x-mock-keepalive, x-mock-idle-before-cold-start, x-mock-cold-start, x-mock-required-key, x-mock-content.
    Durations are strings such as 250ms or 2s (a bare number means milliseconds). See docs/mock.md.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments
        let workers: Int
        do {
            args = try CommandLineArguments(arguments, valued: ["listen", "models", "workers", "header-timeout",
                                                                "body-timeout", "idle-timeout", "write-timeout", "drain-timeout",
                                                                "tls-cert", "tls-key"])
            workers = try args.integer("workers", default: 1, in: 1...64)
        } catch {
            StandardStreams.writeLine("sluice-mock: \(error)\nTry 'sluice-mock --help'.")
            return 2
        }
        if args.flag("help") {
            StandardStreams.writeLine(help, to: 1)
            return 0
        }
        guard args.positional.isEmpty else {
            StandardStreams.writeLine("sluice-mock: unexpected argument '\(args.positional[0])'\nTry 'sluice-mock --help'.")
            return 2
        }
        guard let address = SocketAddress(args.value("listen") ?? "127.0.0.1:8081") else {
            StandardStreams.writeLine("sluice-mock: --listen must be HOST:PORT with a numeric host")
            return 2
        }
        var models = MockModels()
        if let path = args.value("models") {
            guard let bytes = FileBytes.read(path) else {
                StandardStreams.writeLine("sluice-mock: cannot read \(path)")
                return 1
            }
            do {
                models = try MockModels(json: bytes)
            } catch {
                StandardStreams.writeLine("sluice-mock: \(path): \(error)")
                return 1
            }
        }
        let context = MockContext(models: models, stats: MockStats(),
                                  created: MonotonicClock().wallNanoseconds() / 1_000_000_000)
        var configuration = HTTPServerConfiguration(name: "mock", address: address)
        configuration.limits.maxBodyBytes = MockExchange.maxBodyBytes
        var drainTimeout = ProxyDuration.seconds(10)
        for (flag, apply) in [
            ("header-timeout", { (d: ProxyDuration) in configuration.headerTimeout = d }),
            ("body-timeout", { configuration.bodyTimeout = $0 }),
            ("idle-timeout", { configuration.idleTimeout = $0 }),
            ("write-timeout", { configuration.writeStallTimeout = $0 }),
            ("drain-timeout", { drainTimeout = $0 }),
        ] as [(String, (ProxyDuration) -> Void)] {
            guard let text = args.value(flag) else { continue }
            guard let duration = ProxyDuration(parsing: text), duration > .zero else {
                StandardStreams.writeLine("sluice-mock: --\(flag) must be a duration such as 500ms or 10s, got '\(text)'")
                return 2
            }
            apply(duration)
        }
        switch (args.value("tls-cert"), args.value("tls-key")) {
        case (nil, nil):
            break
        case let (certificate?, key?):
            do {
                configuration.tls = try TLSServerContext(certificateFile: certificate, keyFile: key)
            } catch {
                StandardStreams.writeLine("sluice-mock: \(error)")
                return 1
            }
        default:
            StandardStreams.writeLine("sluice-mock: --tls-cert and --tls-key go together\nTry 'sluice-mock --help'.")
            return 2
        }
        let server = HTTPServer(configuration: configuration) { loop in MockHandler(context: context, loop: loop) }
        do {
            let host = try HTTPServerHost(workers: workers, servers: [server])
            try host.start()
            return host.runUntilSignalled(drainTimeout: drainTimeout)
        } catch {
            StandardStreams.writeLine(#"{"event":"fatal","error":"\#(error)"}"#)
            return 1
        }
    }
}
