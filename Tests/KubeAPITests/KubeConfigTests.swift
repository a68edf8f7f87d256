import Foundation
import ProxyCore
import Testing
@testable import KubeAPI

/// A fresh temporary directory for one test.
private func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubeapi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private let kubeconfig = """
{
  "apiVersion": "v1", "kind": "Config", "current-context": "dev",
  "clusters": [
    {"name": "prod", "cluster": {"server": "https://prod.example:6443"}},
    {"name": "dev", "cluster": {"server": "https://127.0.0.1:6443/", "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"}}
  ],
  "contexts": [
    {"name": "dev", "context": {"cluster": "dev", "user": "alice", "namespace": "team"}},
    {"name": "prod", "context": {"cluster": "prod", "user": "bob"}}
  ],
  "users": [
    {"name": "alice", "user": {"client-certificate-data": "Y2VydA==", "client-key-data": "a2V5"}},
    {"name": "bob", "user": {"tokenFile": "tokens/bob", "client-certificate": "/abs/cert.pem", "client-key": "key.pem"}}
  ]
}
"""

@Suite struct KubeConfigTests {
    @Test func jsonKubeconfigUsesTheCurrentContextAndDecodesDataFields() throws {
        let config = try KubeConfig.load(from: kubeconfig)
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.namespace == "team")
        #expect(config.certificateAuthority == .pem(Array("-----BEGIN CERTIFICATE-----".utf8)))
        #expect(config.clientCertificate == .pem(Array("cert".utf8)))
        #expect(config.clientKey == .pem(Array("key".utf8)))
        #expect(config.token == nil)
    }

    @Test func anotherContextResolvesRelativePathsAgainstTheFilesDirectory() throws {
        let config = try KubeConfig.load(from: kubeconfig, context: "prod", baseDirectory: "/home/me/.kube")
        #expect(config.server == "https://prod.example:6443")
        #expect(config.namespace == "default")
        #expect(config.token?.path == "/home/me/.kube/tokens/bob")
        #expect(config.clientCertificate == .file("/abs/cert.pem"))
        #expect(config.clientKey == .file("/home/me/.kube/key.pem"))
    }

    @Test func yamlKubeconfigsAreReadToo() throws {
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: dev
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            contexts:
            - name: dev
              context: {cluster: dev, namespace: team}
            """
        let config = try KubeConfig.load(from: yaml)
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.namespace == "team")
        #expect(config.insecureSkipTLSVerify)
        #expect(throws: KubeConfigError.self) { try KubeConfig.load(from: "clusters: [a\n") }
    }

    @Test func unusableKubeconfigsFailWithAClearMessage() {
        func message(_ text: String, context: String? = nil) -> String? {
            do {
                _ = try KubeConfig.load(from: text, context: context)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message(kubeconfig, context: "nope") == "kubeconfig contexts has no entry named \"nope\"")
        #expect(message("{}") == "kubeconfig has no current-context")
        let exec = #"{"current-context":"c","contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],"clusters":[{"name":"k","cluster":{"server":"https://x"}}],"users":[{"name":"u","user":{"exec":{"command":"aws"}}}]}"#
        #expect(message(exec)?.contains("exec, which is not supported") == true)
        let badData = #"{"current-context":"c","contexts":[{"name":"c","context":{"cluster":"k"}}],"clusters":[{"name":"k","cluster":{"server":"https://x","certificate-authority-data":"!!"}}]}"#
        #expect(message(badData) == "cluster \"k\": certificate-authority-data is not valid base64")
    }

    @Test func inClusterReadsTheServiceAccountAndEnvironment() throws {
        let directory = try temporaryDirectory()
        try "token-1\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "sluice-system\n".write(toFile: directory + "/namespace", atomically: true, encoding: .utf8)
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let config = try KubeConfig.inCluster(environment: { environment[$0] }, serviceAccountDirectory: directory)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.namespace == "sluice-system")
        #expect(config.certificateAuthority == .file(directory + "/ca.crt"))
        #expect(config.token?.token() == "token-1")
        #expect(throws: KubeConfigError.self) { try KubeConfig.inCluster(environment: { _ in nil }, serviceAccountDirectory: directory) }
    }

    @Test func loadDefaultPrefersKubeconfigThenInClusterThenHome() throws {
        let directory = try temporaryDirectory()
        try kubeconfig.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let fromEnv = try KubeConfig.loadDefault(environment: ["KUBECONFIG": directory + "/config:/other"].lookup)
        #expect(fromEnv.server == "https://127.0.0.1:6443")
        try FileManager.default.createDirectory(atPath: directory + "/.kube", withIntermediateDirectories: true)
        try kubeconfig.write(toFile: directory + "/.kube/config", atomically: true, encoding: .utf8)
        let fromHome = try KubeConfig.loadDefault(environment: ["HOME": directory].lookup)
        #expect(fromHome.namespace == "team")
    }

    @Test func aTokenFileIsReReadWhenItRotates() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/token"
        try "first".write(toFile: path, atomically: true, encoding: .utf8)
        let source = BearerTokenSource(file: path)
        #expect(source.token() == "first")
        // Rotation the way the kubelet does it: a new file renamed over the old one (new inode).
        try "second\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(source.token() == "second")
        try FileManager.default.removeItem(atPath: path)
        #expect(source.token() == nil)
    }
}

private extension Dictionary where Key == String, Value == String {
    var lookup: (String) -> String? { { self[$0] } }
}
