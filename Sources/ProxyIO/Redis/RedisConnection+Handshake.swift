import ProxyCore

/// The handshake after connecting: `HELLO 3` (with `AUTH` inside it) when RESP3 is wanted,
/// falling back to RESP2 and a plain `AUTH` when the server refuses it for any reason but
/// the credentials (Redis before 6 has no `HELLO`, a proxy may not know it); then `SELECT`
/// when a database other than 0 is configured.
///
/// Each step waits for the previous reply. The whole handshake is bounded by the connect
/// timeout; a refused password fails the connection like any other error (and is retried
/// with backoff: a rotated password may yet be accepted).
extension RedisConnection {
    func startHandshake() {
        if configuration.protocolVersion == .resp3 { sendHello() } else { sendAuth() }
    }

    private func step(_ arguments: [String], _ next: @escaping (RESPValue) -> Void) {
        write(RedisCommand(arguments.map { Array($0.utf8) }), asking: false, target: .handshake(next),
              deadline: ProxyInstant(nanoseconds: .max))
        flush()
    }

    private func sendHello() {
        var arguments = ["HELLO", "3"]
        if let credentials = configuration.credentials {
            arguments += ["AUTH", credentials.username ?? "default", credentials.password]
        }
        step(arguments) { [self] reply in
            if case .map = reply {
                protocolVersion = .resp3
                return sendSelect()
            }
            guard let message = reply.errorMessage else { return fail("unexpected reply to HELLO") }
            // Refused credentials end here; any other refusal (no HELLO before Redis 6, no
            // RESP3, a proxy that does not know the command) falls back to RESP2 and AUTH.
            if message.hasPrefix("WRONGPASS") || message.hasPrefix("NOAUTH") { return fail("HELLO refused: \(message)") }
            protocolVersion = .resp2
            sendAuth()
        }
    }

    private func sendAuth() {
        guard let credentials = configuration.credentials else { return sendSelect() }
        let arguments = credentials.username.map { ["AUTH", $0, credentials.password] } ?? ["AUTH", credentials.password]
        step(arguments) { [self] reply in
            guard reply == .simpleString("OK") else { return fail("AUTH refused: \(reply.errorMessage ?? "unexpected reply")") }
            sendSelect()
        }
    }

    private func sendSelect() {
        guard configuration.database != 0 else { return becameReady() }
        step(["SELECT", String(configuration.database)]) { [self] reply in
            guard reply == .simpleString("OK") else { return fail("SELECT \(configuration.database) refused: \(reply.errorMessage ?? "unexpected reply")") }
            becameReady()
        }
    }
}
