import ProxyCore
import Testing
@testable import ProxyIO

/// `rediss://`: `RedisConnection` over TLS to a real `redis-server` with a TLS port (Debian's
/// build has TLS), using a CA and certificates made for the test.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "redis-server is not installed (make deps installs it)"))
struct RedisTLSTests {
    /// A server with a plain port (for the test's own set-up) and a TLS port.
    func server(_ certificates: TestCertificates, clientsNeedCertificates: Bool) throws -> (RedisServerProcess, RedisNodeAddress) {
        let tlsPort = try FreePort.pick()
        let server = try RedisServerProcess(arguments: [
            "--tls-port", String(tlsPort), "--tls-cert-file", certificates.serverCertificate, "--tls-key-file", certificates.serverKey,
            "--tls-ca-cert-file", certificates.caCertificate, "--tls-auth-clients", clientsNeedCertificates ? "yes" : "no",
        ])
        return (server, RedisNodeAddress(host: "127.0.0.1", port: tlsPort))
    }

    func ping(over address: RedisNodeAddress, tls: RedisTLSConfiguration) throws -> Result<RESPValue, RedisFailure>? {
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let connection = LoopBound(RedisConnection(loop: harness.loop, configuration: RedisConnectionConfiguration(address: address, tls: tls)))
        defer { harness.sync { connection.value.close() } }
        return harness.run { done in
            connection.value.send(RedisCommand("SET", "over", "tls")) { _ in
                connection.value.send(RedisCommand("GET", "over")) { done($0) }
            }
        }
    }

    @Test func aConnectionVerifiesTheServerAndSpeaksThroughTLS() throws {
        let directory = try TemporaryDirectory.make(prefix: "redis-tls")
        defer { TemporaryDirectory.remove(directory) }
        let certificates = try TestCertificates(in: directory)
        let (server, tlsAddress) = try server(certificates, clientsNeedCertificates: false)
        let tls = RedisTLSConfiguration(context: try TLSClientContext(caFile: certificates.caCertificate))
        #expect(try ping(over: tlsAddress, tls: tls) == .success(.bulk("tls")))
        #expect(try server.admin().command(["GET", "over"]) == .bulk("tls"))
        // By name too: the certificate lists localhost, which is also sent as SNI.
        let byName = RedisNodeAddress(host: "localhost", port: tlsAddress.port)
        #expect(try ping(over: byName, tls: tls) == .success(.bulk("tls")))
    }

    @Test func aServerWhoseCertificateIsNotTrustedIsRefused() throws {
        let directory = try TemporaryDirectory.make(prefix: "redis-tls")
        defer { TemporaryDirectory.remove(directory) }
        let certificates = try TestCertificates(in: directory)
        let otherDirectory = try TemporaryDirectory.make(prefix: "redis-tls-other")
        defer { TemporaryDirectory.remove(otherDirectory) }
        let other = try TestCertificates(in: otherDirectory)
        let (server, tlsAddress) = try server(certificates, clientsNeedCertificates: false)
        defer { withExtendedLifetime(server) {} }
        let reply = try #require(try ping(over: tlsAddress, tls: RedisTLSConfiguration(context: try TLSClientContext(caFile: other.caCertificate))))
        guard case .failure(.unavailable(let reason)) = reply else {
            Issue.record("expected the handshake to fail, got \(reply)")
            return
        }
        #expect(reason.contains("certificate verify failed"))
        // A certificate for other names than the one dialled is refused as well.
        let wrongName = RedisTLSConfiguration(context: try TLSClientContext(caFile: certificates.caCertificate), serverName: "redis.example")
        if case .success = try #require(try ping(over: tlsAddress, tls: wrongName)) { Issue.record("a certificate for another name was accepted") }
    }

    @Test func aClientCertificateIsPresentedWhenTheServerRequiresOne() throws {
        let directory = try TemporaryDirectory.make(prefix: "redis-tls")
        defer { TemporaryDirectory.remove(directory) }
        let certificates = try TestCertificates(in: directory)
        let (server, tlsAddress) = try server(certificates, clientsNeedCertificates: true)
        defer { withExtendedLifetime(server) {} }
        let anonymous = RedisTLSConfiguration(context: try TLSClientContext(caFile: certificates.caCertificate))
        if case .success = try #require(try ping(over: tlsAddress, tls: anonymous)) { Issue.record("a client without a certificate was let in") }
        let identified = RedisTLSConfiguration(context: try TLSClientContext(
            caFile: certificates.caCertificate, certificateFile: certificates.clientCertificate, keyFile: certificates.clientKey))
        #expect(try ping(over: tlsAddress, tls: identified) == .success(.bulk("tls")))
    }
}
