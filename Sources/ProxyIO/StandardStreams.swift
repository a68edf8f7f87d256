import Glibc

/// Writes to stdout and stderr with `write(2)`: the C globals `stdout`/`stderr` are not
/// concurrency-safe in Swift 6, and a log line must be one write so lines never interleave.
package enum StandardStreams {
    package static func writeLine(_ line: String, to fd: Int32 = 2) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        writeAll(fd, bytes)
    }

    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
