/// The RESP version spoken on a connection: RESP2 by default, RESP3 after `HELLO 3`.
package enum RESPProtocolVersion: Int, Hashable, Sendable {
    case resp2 = 2
    case resp3 = 3
}
