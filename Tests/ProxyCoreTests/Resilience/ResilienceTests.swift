/// The namespace of the resilience policy tests (`ProxyCore/Resilience`), so that
/// `swift test --filter Resilience` selects all of them.
enum ResilienceTests {}
