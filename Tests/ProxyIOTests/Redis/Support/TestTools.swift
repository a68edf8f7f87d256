import Foundation

/// Runs `executable` with `arguments` to completion and fails with its output unless it
/// succeeds (test set-up: `redis-cli`, `openssl`).
func runTool(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let directory = try TemporaryDirectory.make(prefix: "tool")
    defer { TemporaryDirectory.remove(directory) }
    let output = directory + "/output"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    guard process.terminationStatus == 0 else {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed: \(text.suffix(2000))")
    }
}

/// A throwaway CA, a server certificate for 127.0.0.1 and localhost, and a client
/// certificate, made with the `openssl` CLI in `directory` for one test.
struct TestCertificates {
    let caCertificate: String
    let serverCertificate: String
    let serverKey: String
    let clientCertificate: String
    let clientKey: String

    init(in directory: String) throws {
        let openssl = "/usr/bin/openssl"
        func path(_ name: String) -> String { "\(directory)/\(name)" }
        caCertificate = path("ca.pem")
        serverCertificate = path("server.pem")
        serverKey = path("server.key")
        clientCertificate = path("client.pem")
        clientKey = path("client.key")
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try runTool(openssl, ["req", "-x509"] + key + ["-keyout", path("ca.key"), "-out", caCertificate, "-days", "2", "-subj", "/CN=sluice-test-ca"])
        for (name, usage, san) in [("server", "serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"), ("client", "clientAuth", "")] {
            try (san + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=\(usage)\n")
                .write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try runTool(openssl, ["req"] + key + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
            try runTool(openssl, ["x509", "-req", "-in", path("\(name).csr"), "-CA", caCertificate, "-CAkey", path("ca.key"),
                                  "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2", "-extfile", path("\(name).ext")])
        }
    }
}
