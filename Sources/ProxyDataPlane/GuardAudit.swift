import ProxyCore
import ProxyIO

/// One guard decision as the audit log records it. Never the matched text: only its length
/// and which matcher found it.
struct GuardAuditEntry {
    let requestID: String
    let consumer: String
    let route: String
    let guardName: String
    let rule: String
    let phase: String
    let action: String
    let matcher: String
    let matchedBytes: Int
}

/// The guard's audit log: one JSON line per decision on stderr, with the operational events
/// (`"event":"guard_decision"`, `docs/guard.md`), and in the guard's audit file when it has one.
/// Written from the loops; on stderr a line is one `write`, to the file it is queued for the
/// file's writer thread (`AppendOnlyFile`).
final class GuardAudit: Sendable {
    private let fd: Int32

    /// `fd`: 2, stderr.
    init(fd: Int32 = 2) {
        self.fd = fd
    }

    func write(_ entry: GuardAuditEntry, wallNanoseconds: UInt64, file: AppendOnlyFile?) {
        var line = Array(#"{"event":"guard_decision","time_ms":"#.utf8)
        JSONWriter.appendInt(Int(wallNanoseconds / 1_000_000), to: &line)
        for (key, value) in [("request_id", entry.requestID), ("consumer", entry.consumer), ("route", entry.route),
                             ("guard", entry.guardName), ("rule", entry.rule), ("phase", entry.phase),
                             ("action", entry.action), ("matcher", entry.matcher)] {
            line += Array(",\"\(key)\":".utf8)
            JSONWriter.appendString(value, to: &line)
        }
        line += Array(#","matched_bytes":"#.utf8)
        JSONWriter.appendInt(entry.matchedBytes, to: &line)
        line += Array("}\n".utf8)
        StandardStreams.writeAll(fd, line)
        file?.append(line)
    }
}
