/// One Redis command: its name and arguments, each sent as a bulk string (binary-safe).
///
/// An immutable value; safe to share.
package struct RedisCommand: Hashable, Sendable {
    /// The name first, then the arguments.
    package var arguments: [[UInt8]]

    package init(_ arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a command has at least a name")
        self.arguments = arguments
    }

    /// A command whose name and arguments are all text: `RedisCommand("GET", "key")`.
    package init(_ name: String, _ arguments: String...) {
        self.init([Array(name.utf8)] + arguments.map { Array($0.utf8) })
    }

    /// The command's name in upper case (for errors and logs; never its arguments, which may
    /// hold a password).
    package var name: String { String(decoding: arguments[0], as: UTF8.self).uppercased() }

    /// Appends the command in RESP, ready to write to the socket.
    package func encode(into output: inout [UInt8]) {
        RESPEncoder.appendCommand(arguments, to: &output)
    }

    /// An integer argument in decimal.
    package static func argument(_ value: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.appendInt(value, to: &bytes)
        return bytes
    }
}
