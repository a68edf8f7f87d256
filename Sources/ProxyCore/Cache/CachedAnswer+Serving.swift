/// A cached answer in the form a request asks for.
extension CachedAnswer {
    /// The body to send: the stored bytes when the forms match (a stream without its usage
    /// chunk unless `includeUsage`), else the chat completion rendered in the other form. Nil
    /// when the other form is asked of an answer that is not a chat completion (then it is a miss).
    package func rendered(asStream stream: Bool, includeUsage: Bool) -> [UInt8]? {
        switch (form, stream) {
        case (.json, false):
            return body
        case (.eventStream, true):
            guard !includeUsage else { return body }
            var filter = UsageStreamFilter(stripsUsage: true)
            var output: [UInt8] = []
            output.reserveCapacity(body.count)
            body.withUnsafeBytes { bytes in filter.feed(bytes) { output.append(contentsOf: $0) } }
            _ = filter.finish { output.append(contentsOf: $0) }
            return output
        case (.json, true):
            guard let value = try? JSONParser.parse(body), let completion = CachedChatCompletion(completion: value) else { return nil }
            return completion.eventStream(includeUsage: includeUsage)
        case (.eventStream, false):
            return CachedChatCompletion(stream: body).map { JSONWriter.write($0.json()) }
        }
    }
}
