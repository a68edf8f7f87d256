import ConfigSource
import GatewayController
import Glibc
import KubeAPI
import ProxyCore
import ProxyHTTPServer
import ProxyIO
import Synchronization

/// The mutating admission webhook's HTTPS listener, shared by `webhook` and `run`:
/// `POST /mutate-pods` → `AdmissionReviewHandler`, TLS from a certificate and key on disk that
/// are re-read when they change (kubelet's Secret updates, cert-manager's rotations).
enum WebhookServer {
    static let defaultAddress = "0.0.0.0:8443"
    static let defaultCertificate = "/etc/sluice/webhook-tls/tls.crt"
    static let defaultKey = "/etc/sluice/webhook-tls/tls.key"
    static let path = "/mutate-pods"

    /// The flags both commands take.
    static let flagNames: Set<String> = ["webhook-address", "webhook-cert", "webhook-key"]

    static let flagHelp = """
      --webhook-address ADDR  the admission webhook's HTTPS listener (default \(defaultAddress); port 0 picks a free port)
      --webhook-cert FILE     its PEM certificate chain (default \(defaultCertificate))
      --webhook-key FILE      its PEM private key (default \(defaultKey)); both are re-read when their
                              directory changes, so a rotated Secret needs no restart
    """

    struct Options {
        var address: SocketAddress
        var certificate: String
        var key: String
    }

    /// Reads the webhook flags; nil when `--webhook-address` is malformed.
    static func options(_ args: CommandLineArguments) -> Options? {
        guard let address = SocketAddress(args.value("webhook-address") ?? defaultAddress) else { return nil }
        return Options(address: address, certificate: args.value("webhook-cert") ?? defaultCertificate,
                       key: args.value("webhook-key") ?? defaultKey)
    }

    static let addressUsage = "--webhook-address must be HOST:PORT with a numeric host"

    /// The HTTPS server (not yet bound) and its TLS context; throws when the certificate or key is unusable.
    static func make(_ options: Options, handler: AdmissionReviewHandler) throws(TLSError) -> (HTTPServer, TLSServerContext) {
        let tls = try TLSServerContext(certificateFile: options.certificate, keyFile: options.key)
        var configuration = HTTPServerConfiguration(name: "webhook", address: options.address)
        configuration.tls = tls
        // The API server times out a webhook call after 5 s (deploy/webhook.yaml); pods are small.
        configuration.limits.maxBodyBytes = 4 << 20
        configuration.headerTimeout = .seconds(5)
        configuration.bodyTimeout = .seconds(5)
        let server = HTTPServer(configuration: configuration) { _ in WebhookEndpoints.handler(handler) }
        return (server, tls)
    }

    /// The webhook's settings lookup, reading the gateways and managed ConfigMaps of two caches.
    /// Runs on an event loop for each review: decoding a namespace's gateways is cheap.
    static func settingsLookup(gateways: Informer, configMaps: Informer, base: InjectionSettings) -> AdmissionReviewHandler.SettingsLookup {
        { namespace, labels in
            guard gateways.hasSynced, configMaps.hasSynced else {
                return .failure(.init(reason: "the controller's caches are still loading"))
            }
            let objects = gateways.objects().filter { PodGatewaySelection.namespace(of: $0) == namespace }
            let decoded = ResourceSet.decode(objects, defaultNamespace: namespace).gateways
            return PodGatewaySelection.settings(namespace: namespace, podLabels: labels, gateways: decoded,
                                                configMap: { configMaps.object(for: ObjectKey(namespace: $0, name: $1)) }, base: base)
        }
    }

    /// Starts watching the directories of the certificate and key on `loop` (call it from the
    /// host's set-up on loop 0). A change re-reads both; a pair that cannot be loaded (a
    /// half-written rotation, a key that does not match) keeps the old one serving and logs one line.
    static func watchCertificates(_ tls: TLSServerContext, on loop: EventLoop, box: CertificateWatcherBox) {
        let directories = Array(Set([directory(of: tls.certificateFile), directory(of: tls.keyFile)])).sorted()
        var last = fingerprint(tls)
        let onChange: () -> Void = {
            // Kubelet swaps `..data` even when nothing changed: reload only on new bytes.
            let current = fingerprint(tls)
            guard current != last else { return }
            last = current
            if let error = reload(tls) {
                log(#"{"event":"webhook_certificate_reload_failed","certificate":"#, tls.certificateFile,
                    "\(error); the previous certificate keeps serving")
            } else {
                log(#"{"event":"webhook_certificate_reloaded","certificate":"#, tls.certificateFile, nil)
            }
        }
        do {
            box.watcher = try DirectoryWatcher(loop: loop, directories: directories, debounce: .milliseconds(50), onChange: onChange)
        } catch {
            log(#"{"event":"webhook_certificate_watch_failed","certificate":"#, tls.certificateFile,
                "\(error); the certificate will not be reloaded without a restart")
        }
    }

    /// Reloads; the error's text, or nil when the new pair serves.
    private static func reload(_ tls: TLSServerContext) -> String? {
        do {
            try tls.reload()
            return nil
        } catch {
            return error.description
        }
    }

    private static func fingerprint(_ tls: TLSServerContext) -> [UInt8] {
        (FileBytes.read(tls.certificateFile, maxBytes: 1 << 20) ?? []) + [0] + (FileBytes.read(tls.keyFile, maxBytes: 1 << 20) ?? [])
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func log(_ prefix: String, _ file: String, _ error: String?) {
        var line = Array(prefix.utf8)
        JSONWriter.appendString(file, to: &line)
        if let error {
            line += #","error":"#.utf8
            JSONWriter.appendString(error, to: &line)
        }
        line += "}".utf8
        StandardStreams.writeLine(String(decoding: line, as: UTF8.self))
    }
}

/// Holds the certificate watcher for the life of the process.
///
/// `@unchecked Sendable`: written once on loop 0 during set-up and never read elsewhere.
final class CertificateWatcherBox: @unchecked Sendable {
    var watcher: DirectoryWatcher?
}

/// `POST /mutate-pods` on the webhook listener; everything else is 404. One handler per loop;
/// the review is handled when its body is complete, on the loop (it is pure and quick). The
/// body is bounded by the listener's own limit only.
enum WebhookEndpoints {
    static func handler(_ handler: AdmissionReviewHandler) -> BufferedRequestHandler {
        BufferedRequestHandler(maxBodyBytes: .max) { head, body, response in
            guard head.path == WebhookServer.path else {
                response.respondWithError(status: 404, code: "not_found", message: "the admission webhook serves POST \(WebhookServer.path)")
                return
            }
            guard head.method == .post else {
                response.respondWithError(status: 405, code: "method_not_allowed", message: "\(WebhookServer.path) takes POST")
                return
            }
            let (status, answer) = handler.handle(body)
            response.respond(status: status, headers: ["content-type": "application/json"], body: answer)
        }
    }
}
