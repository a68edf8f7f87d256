import ProxyCore
import Testing

@Suite struct JSONBodyTailTests {
    private func tail(of text: String, capacity: Int = 64, pieces: Int = 1) -> JSONBodyTail {
        var tail = JSONBodyTail(capacity: capacity)
        let bytes = Array(text.utf8)
        let size = max(1, bytes.count / pieces)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            bytes[start..<end].withUnsafeBytes { tail.append($0) }
            start = end
        }
        return tail
    }

    @Test func keepsTheLastBytesOfALongBodyInOrder() {
        let text = String(repeating: "0123456789", count: 50)
        for pieces in [1, 3, 7, 500] {
            #expect(tail(of: text, capacity: 64, pieces: pieces).bytes == Array(text.utf8.suffix(64)))
        }
        #expect(tail(of: "short").bytes == Array("short".utf8))
    }

    @Test func readsTheUsageAtTheEndOfALargeAnswer() {
        let body = #"{"choices":[{"message":{"content":""# + String(repeating: "x", count: 10_000)
            + #""}}],"usage":{"prompt_tokens":7,"completion_tokens":9,"total_tokens":16,"completion_tokens_details":{"reasoning_tokens":2}}}"#
        let usage = tail(of: body, capacity: 8192, pieces: 13).usage
        #expect(usage.prompt == 7 && usage.completion == 9 && usage.reasoning == 2)
    }

    @Test func ignoresAUsageKeyInsideTheContent() {
        let body = #"{"choices":[{"message":{"content":"say \"usage\": {\"prompt_tokens\": 99}"}}]}"#
        #expect(!tail(of: body, capacity: 8192).usage.reported)
    }

    @Test func aUsageCutOffByTheCapacityIsUnreported() {
        let body = #"{"usage":{"prompt_tokens":7,"completion_tokens":9}, "padding":""# + String(repeating: "y", count: 200) + #""}"#
        #expect(!tail(of: body, capacity: 64).usage.reported)
    }
}
