import Glibc
import ProxyCore
import Testing
@testable import ProxyIO

/// The guard's audit file: lines appended off the loops, rotation followed.
@Suite struct AppendOnlyFileTests {
    static func temporaryDirectory() -> String {
        var template = Array("/tmp/sluice-append-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    static func contents(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            out += buffer[0..<count]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func linesAreAppendedInOrderAfterWhatTheFileHeld() throws {
        let path = Self.temporaryDirectory() + "/audit.jsonl"
        let existing = fopen(path, "w")!
        fputs("earlier\n", existing)
        fclose(existing)
        let file = try AppendOnlyFile(path: path)
        for index in 0..<100 { file.append(Array("line \(index)\n".utf8)) }
        let expected = "earlier\n" + (0..<100).map { "line \($0)\n" }.joined()
        #expect(waitUntil { Self.contents(path) == expected })
    }

    @Test func aRotatedFileIsReopenedAtItsPath() throws {
        let directory = Self.temporaryDirectory()
        let path = directory + "/audit.jsonl"
        let file = try AppendOnlyFile(path: path)
        file.append(Array("before\n".utf8))
        #expect(waitUntil { Self.contents(path) == "before\n" })
        #expect(rename(path, directory + "/audit.jsonl.1") == 0)
        file.append(Array("after\n".utf8))
        #expect(waitUntil { Self.contents(path) == "after\n" })
        #expect(Self.contents(directory + "/audit.jsonl.1") == "before\n")
    }

    @Test func aPathThatCannotBeOpenedIsAnErrorNamingIt() {
        #expect(throws: AppendOnlyFile.OpenError.self) { try AppendOnlyFile(path: "/nonexistent-dir/audit.jsonl") }
    }
}
