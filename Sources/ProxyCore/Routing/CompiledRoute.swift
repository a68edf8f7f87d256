/// One route of a `RouteTable`: conditions as bytes and compiled matchers, the split with
/// backends resolved to indices, and its picker.
struct CompiledRoute: Sendable {
    /// The first condition a request fails.
    enum Mismatch {
        case path
        case model
        case header(Int)
    }

    let name: String
    /// Exact paths as bytes; nil matches any path.
    let paths: [[UInt8]]?
    let model: CompiledModelMatcher?
    let headers: [CompiledHeaderMatcher]
    let entries: [CompiledSplitEntry]
    let picker: WeightedPicker
    /// The entry to take without picking, when it is the only one with a positive weight.
    let onlyEntry: Int?
    let stickyHeader: String?
    /// The route's `auto` model names, compiled; empty for most routes.
    let auto: [CompiledAutoModel]

    /// The first condition `path` (without query), `model` and `headers` fail, or nil when all hold.
    func firstMismatch(path: UnsafeRawBufferPointer, model: String?, headers: HTTPHeaders) -> Mismatch? {
        if let paths {
            var found = false
            for candidate in paths where candidate.elementsEqual(path) {
                found = true
                break
            }
            if !found { return .path }
        }
        if let matcher = self.model {
            guard let model, matcher.matches(model) else { return .model }
        }
        for index in self.headers.indices where !self.headers[index].matches(headers) { return .header(index) }
        return nil
    }

    /// The split entry for a matched request and how it was chosen.
    func choose(headers: HTTPHeaders, random: UInt64) -> (entry: Int, selection: RouteDecision.Selection) {
        if let onlyEntry { return (onlyEntry, .single) }
        if let stickyHeader, let value = headers.first(stickyHeader) {
            return (picker.pick(position: StickyHash.hash(value)), .sticky)
        }
        return (picker.pick(position: random), .random)
    }
}
