import CCurl
import ProxyCore

/// The request's header lines as a `curl_slist` (`CURLOPT_HTTPHEADER`), built in memory the
/// easy handle keeps from one transfer to the next.
///
/// libcurl only reads this list, for as long as the transfer runs (it sends the head again when
/// a reused connection turns out dead), and never copies or frees it. `curl_slist_append` makes
/// two allocations per line (the node and a copy of the text); here the nodes and the text live
/// in two buffers that grow to the largest head seen and are then reused: no allocation per
/// request. Loop-confined, like its handle; rebuilt only while the handle is out of the multi.
final class CurlHeaderList {
    private var text: UnsafeMutableRawBufferPointer
    private var textCount = 0
    private var nodes: UnsafeMutableBufferPointer<curl_slist>
    private var nodeCount = 0

    /// Buffers above these sizes are given back after a request that needed less.
    private static let keptTextBytes = 16 * 1024
    private static let keptNodes = 64

    init() {
        text = .allocate(byteCount: 512, alignment: 1)
        nodes = .allocate(capacity: 16)
    }

    deinit {
        text.deallocate()
        nodes.deallocate()
    }

    /// Empties the list and makes room for `lines` lines of `bytes` bytes in all (terminators
    /// included), so that no line moves once written.
    func removeAll(reservingBytes bytes: Int, lines: Int) {
        textCount = 0
        nodeCount = 0
        if bytes > text.count || (text.count > Self.keptTextBytes && bytes <= Self.keptTextBytes) {
            text.deallocate()
            text = .allocate(byteCount: max(bytes, 512), alignment: 1)
        }
        if lines > nodes.count || (nodes.count > Self.keptNodes && lines <= Self.keptNodes) {
            nodes.deallocate()
            nodes = .allocate(capacity: max(lines, 16))
        }
    }

    /// The bytes `append(name:value:)` needs for one field.
    static func bytes(name: String, value: String) -> Int { name.utf8.count + value.utf8.count + 3 }

    /// The bytes `append(_:)` needs for `line`.
    static func bytes(_ line: StaticString) -> Int { line.utf8CodeUnitCount + 1 }

    /// Adds `name: value`; false (and nothing added) when the line holds a CR, LF, NUL or another
    /// control byte, which libcurl would send as is. Room must have been reserved.
    func append(name: String, value: String) -> Bool {
        let start = textCount
        write(name)
        write(UInt8(ascii: ":"))
        write(UInt8(ascii: " "))
        write(value)
        guard HTTPHeaders.isValidFieldText(UnsafeRawBufferPointer(rebasing: text[start..<textCount])) else {
            textCount = start
            return false
        }
        write(0)
        link(start)
        return true
    }

    /// Adds a fixed line (`"Expect:"`: a name with no value removes a field libcurl would add).
    func append(_ line: StaticString) {
        let start = textCount
        write(UnsafeRawBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
        write(0)
        link(start)
    }

    /// The list's first node, nil when empty; valid until the next `removeAll`.
    var head: UnsafeMutablePointer<curl_slist>? { nodeCount == 0 ? nil : nodes.baseAddress }

    private func link(_ start: Int) {
        let node = nodes.baseAddress! + nodeCount
        node.initialize(to: curl_slist(data: (text.baseAddress! + start).assumingMemoryBound(to: CChar.self), next: nil))
        if nodeCount > 0 { (node - 1).pointee.next = node }
        nodeCount += 1
    }

    private func write(_ byte: UInt8) {
        text[textCount] = byte
        textCount += 1
    }

    private func write(_ string: String) {
        var string = string
        string.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        precondition(textCount + bytes.count <= text.count, "CurlHeaderList: room not reserved")
        UnsafeMutableRawBufferPointer(rebasing: text[textCount...]).copyMemory(from: bytes)
        textCount += bytes.count
    }
}
