import Glibc
import ProxyCore
import ProxyIO

/// A blocking, one-command-at-a-time Redis client for tests: sets up and inspects servers
/// from the test's own thread, independently of the client under test. Each call opens a
/// connection, sends one command (after `AUTH` when a password is given), reads one reply.
struct RedisAdmin {
    var port: UInt16
    var password: String?

    init(port: UInt16, password: String? = nil) {
        self.port = port
        self.password = password
    }

    /// Sends `arguments` and returns the reply; throws when the server cannot be reached.
    @discardableResult
    func command(_ arguments: [String]) throws -> RESPValue {
        try commands([arguments]).last!
    }

    /// Sends the commands on one connection, in order, and returns their replies.
    func commands(_ commands: [[String]]) throws -> [RESPValue] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = SocketAddress(host: "127.0.0.1", port: port, family: .v4).withSockaddr { connect(fd, $0, $1) } ?? -1
        guard connected == 0 else { throw TestSetupError("cannot connect to 127.0.0.1:\(port)") }
        var all = commands
        if let password { all.insert(["AUTH", password], at: 0) }
        var output: [UInt8] = []
        for arguments in all { RESPEncoder.appendCommand(arguments.map { Array($0.utf8) }, to: &output) }
        var written = 0
        while written < output.count {
            let count = output[written...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestSetupError("write to 127.0.0.1:\(port) failed") }
            written += count
        }
        var decoder = RESPDecoder()
        var replies: [RESPValue] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while replies.count < all.count {
            if let reply = try decoder.next() {
                replies.append(reply)
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestSetupError("connection to 127.0.0.1:\(port) ended") }
            decoder.feed(buffer[0..<count])
        }
        return password == nil ? replies : Array(replies.dropFirst())
    }
}
