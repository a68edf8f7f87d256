/// A cached answer in the form a request asks for.
extension CachedAnswer {
    /// The body to send: the stored bytes when the forms match (a stream without its usage
    /// chunk unless `includeUsage`), else the chat completion or Anthropic message rendered in
    /// the other form. Nil when the other form is asked of an answer that is neither (then it
    /// is a miss).
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
            guard let value = try? JSONParser.parse(body) else { return nil }
            if let completion = CachedChatCompletion(completion: value) { return completion.eventStream(includeUsage: includeUsage) }
            return CachedAnthropicMessage(message: value)?.eventStream()
        case (.eventStream, false):
            if let completion = CachedChatCompletion(stream: body) { return JSONWriter.write(completion.json()) }
            return CachedAnthropicMessage(stream: body).map { JSONWriter.write($0.json()) }
        }
    }
}
