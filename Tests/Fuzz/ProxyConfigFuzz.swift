// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `ProxyConfigDecoder` and `RouteTable`. For any input bytes:
// 1. decoding never crashes: it returns a config or issues, never traps;
// 2. a decoded config encodes (`jsonValue`) and decodes back to an equal value;
// 3. its route table compiles, and routing and explaining one request derived from the
//    input never crash and agree with each other.

/// A request to route, taken from the config itself so matches are likely.
func fuzzRequest(for config: ProxyConfig, seed: UInt64) -> (path: String, model: String?, headers: HTTPHeaders) {
    let route = config.routes[Int(seed % UInt64(config.routes.count))]
    let path = route.match?.paths?.first ?? "/v1/chat/completions"
    var model: String? = nil
    switch route.match?.model {
    case .exact(let name)?, .prefix(let name)?, .glob(let name)?: model = name
    case .oneOf(let names)?: model = names.first
    case .regex(let pattern)?: model = pattern
    case nil: model = seed & 1 == 0 ? nil : "gpt-4o"
    }
    var headers = HTTPHeaders()
    for header in route.match?.headers ?? [] {
        switch header.condition {
        case .exact(let value): headers.append(name: header.name, value: value)
        case .present(true): headers.append(name: header.name, value: "1")
        case .present(false): break
        case .regex(let pattern): headers.append(name: header.name, value: pattern)
        }
    }
    if let sticky = route.sticky, seed & 2 == 0 { headers.append(name: sticky.header, value: "user-\(seed)") }
    return (path, model, headers)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let decoder = ProxyConfigDecoder(fileExists: { _ in true })
    let config: ProxyConfig
    do {
        config = try decoder.decode(input)
    } catch {
        precondition(!error.issues.isEmpty, "a rejected config must say why")
        return 0
    }
    guard let again = try? decoder.decode(JSONWriter.write(ProxyConfigEncoder.json(config), options: [.canonical])), again == config else {
        preconditionFailure("encoding a valid config must decode to the same value")
    }
    let table: RouteTable
    do {
        table = try RouteTable(config)
    } catch {
        preconditionFailure("a decoded config must compile: \(error)")
    }
    var seed: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in input { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let request = fuzzRequest(for: config, seed: seed)
    let decision = table.route(path: request.path, model: request.model, headers: request.headers, random: seed)
    let explanation = table.explain(path: request.path, model: request.model, headers: request.headers, random: seed)
    precondition(decision == explanation.decision, "explain must agree with route")
    if let decision {
        precondition(config.routes[decision.routeIndex].split[decision.splitIndex].weight > 0, "weight-0 entries are never picked")
        precondition(config.backends[decision.backendIndex].name == decision.backendName)
    }
    return 0
}
