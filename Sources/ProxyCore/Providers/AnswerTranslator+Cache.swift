/// A translated attempt's answer as the cache stores it.
extension AnswerTranslator {
    /// The client's answer rebuilt from `providerBody`, the whole 200 answer of an attempt
    /// translated by `direction` (`created` as stamped on what the client got): a stream
    /// translated with its usage chunk whatever the client asked (a hit strips it when not
    /// asked for), a JSON body as the client got it. Nil when it does not translate, or a
    /// stream does not end cleanly.
    ///
    /// Pure; runs once per stored answer, after the client has it.
    package static func cachedClientAnswer(of providerBody: [UInt8], eventStream: Bool, direction: AttemptTranslation,
                                           created: Int) -> [UInt8]? {
        guard eventStream else {
            let whole = translate(whole: providerBody, status: 200, direction: direction, created: created)
            return whole.status == 200 ? whole.body : nil
        }
        var translator = AnswerTranslator(direction: direction, upstreamStatus: 200, eventStream: true, includeUsage: true,
                                          created: created)
        var output: [UInt8] = []
        output.reserveCapacity(providerBody.count)
        providerBody.withUnsafeBytes { bytes in translator.feed(bytes) { output.append(contentsOf: $0) } }
        return translator.streamComplete ? output : nil
    }
}
