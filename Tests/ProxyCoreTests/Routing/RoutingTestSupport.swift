@testable import ProxyCore

/// A route table for `routes` over the backends `openai` and `deepseek` (the first maps
/// `gpt-4o` to `gpt-4o-2024-08-06`).
func routingTable(_ routes: String) throws -> RouteTable {
    try RouteTable(try configTestDecoder.decode(configText(routes: routes)))
}
