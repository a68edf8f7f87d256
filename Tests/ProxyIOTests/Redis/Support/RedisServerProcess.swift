import Foundation
import Glibc
import ProxyCore
import ProxyIO

/// A real `redis-server` on 127.0.0.1, started by a test on a free port with no persistence,
/// in a temporary directory of its own; killed when the test releases it.
///
/// Used from the test's thread only.
final class RedisServerProcess {
    private(set) var port: UInt16
    let directory: String
    private let arguments: [String]
    private var process: Process?

    /// The server binary, when installed (`make deps` installs it).
    static let executable: String? = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let cli: String? = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { executable != nil && cli != nil }

    /// Starts a server with `arguments` added to the defaults and waits until it answers.
    /// A free port may be taken by someone else before the server binds it: then another
    /// port is tried.
    init(arguments: [String] = []) throws {
        port = try FreePort.pick()
        directory = try TemporaryDirectory.make(prefix: "redis")
        self.arguments = arguments
        for attempt in 1...3 {
            do {
                try start()
                return
            } catch let error as TestSetupError where attempt < 3 && error.description.contains("Address already in use") {
                port = try FreePort.pick()
            }
        }
    }

    deinit {
        kill()
        TemporaryDirectory.remove(directory)
    }

    var address: RedisNodeAddress { RedisNodeAddress(host: "127.0.0.1", port: port) }

    /// Starts the server (again, after `kill()`) on the same port and waits for it to answer.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable!)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory, "--logfile", "\(directory)/redis.log"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let password = arguments.firstIndex(of: "--requirepass").map { arguments[$0 + 1] }
        let answered = poll(seconds: 10) {
            guard process.isRunning else { return true }
            let reply = try? RedisAdmin(port: port, password: password).command(["PING"])
            return reply == .simpleString("PONG")
        }
        guard answered, process.isRunning else {
            let log = (try? String(contentsOfFile: "\(directory)/redis.log", encoding: .utf8)) ?? ""
            throw TestSetupError("redis-server on port \(port) did not start: \(log.suffix(2000))")
        }
    }

    /// Kills the server at once (SIGKILL: what a crash or an OOM kill looks like to clients).
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// A blocking client for setting up and inspecting the server from the test's thread.
    func admin(password: String? = nil) -> RedisAdmin { RedisAdmin(port: port, password: password) }
}

/// A failure to set up what a test needs (not a failure of the code under test).
struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `seconds` pass; never sleeps a fixed time to wait.
func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
    waitUntil(seconds: seconds, condition)
}

/// Free TCP ports on 127.0.0.1.
enum FreePort {
    /// A port that is free now (bound to port 0 and released), and whose cluster bus port
    /// (port + 10000) is free too.
    static func pick() throws -> UInt16 {
        for _ in 0..<100 {
            let port = try bindAndRelease(0)
            guard port < 55_000, (try? bindAndRelease(port + 10_000)) != nil else { continue }
            return port
        }
        throw TestSetupError("no free port pair found")
    }

    private static func bindAndRelease(_ port: UInt16) throws -> UInt16 {
        let fd = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: port, family: .v4))
        defer { Socket.close(fd) }
        return try SocketAddress.local(of: fd).port
    }
}

enum TemporaryDirectory {
    static func make(prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "sluice-\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
