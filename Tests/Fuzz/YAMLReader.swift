// fuzz-sources: Sources/ProxyCore/JSON Sources/KubeYAML
// libFuzzer target for YAMLReader and YAMLWriter: nothing may trap, every input the reader
// accepts must survive write → read unchanged, one document at a time and as a stream, and
// reading with positions must give the same documents with positions inside the input.
// Built with `swiftc -sanitize=fuzzer -parse-as-library -package-name sluice` over the folders
// named on the first line plus this file; seeds in Tests/Fuzz/corpus/YAMLReader.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let documents = try? YAMLReader.readDocuments(bytes) else { return 0 }
    // Recording positions reads the same values, and every position is inside the input.
    guard let located = try? YAMLReader.readDocumentsWithPositions(bytes) else { preconditionFailure("positions changed the outcome") }
    precondition(located.map(\.value) == documents, "positions changed the values")
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
    for document in located {
        precondition(document.positions[""] != nil, "the root has no position")
        for position in document.positions.values { precondition(position.line >= 1 && position.line <= lines && position.column >= 1) }
    }
    for document in documents {
        let written = YAMLWriter.write(document)
        do {
            let reread = try YAMLReader.readDocuments(written)
            precondition(reread == [document], "round trip changed the document:\n\(written)")
        } catch {
            preconditionFailure("the writer's output does not read back (\(error)):\n\(written)")
        }
    }
    let stream = YAMLWriter.write(documents: documents)
    precondition((try? YAMLReader.readDocuments(stream)) == documents, "round trip of the stream failed:\n\(stream)")
    return 0
}
