import Glibc

/// This process's resource use from /proc, for the `process_*` metrics at scrape time.
package enum ProcessStats {
    /// Resident memory in bytes (from /proc/self/statm).
    package static func residentBytes() -> Double {
        guard let bytes = FileBytes.read("/proc/self/statm", maxBytes: 4096) else { return 0 }
        let fields = bytes.split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return Double(pages) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// User plus system CPU time in seconds (from /proc/self/stat fields 14 and 15).
    package static func cpuSeconds() -> Double {
        guard let fields = statFields(), fields.count > 13,
              let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Open file descriptors (entries of /proc/self/fd).
    package static func openFDs() -> Double {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = -2  // "." and ".."
        while readdir(directory) != nil { count += 1 }
        return Double(count - 1)  // the descriptor opendir itself holds
    }

    /// Process start time in seconds since the epoch.
    package static func startTimeSeconds() -> Double {
        guard let fields = statFields(), fields.count > 19, let ticks = Double(fields[19]),
              let uptime = FileBytes.read("/proc/uptime", maxBytes: 256),
              let up = Double(String(decoding: uptime.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)) else { return 0 }
        let bootTime = Double(MonotonicClock().wallNanoseconds()) / 1e9 - up
        return bootTime + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// /proc/self/stat fields after the command name (which may contain spaces), as strings.
    private static func statFields() -> [String]? {
        guard let bytes = FileBytes.read("/proc/self/stat", maxBytes: 4096),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return bytes[(close + 2)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
    }
}
