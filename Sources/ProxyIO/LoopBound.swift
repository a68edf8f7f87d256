/// A value that belongs to one event loop, carried through a `@Sendable` closure that runs
/// on that loop (`loop.execute`).
///
/// `@unchecked Sendable`: the value is only touched inside closures that run on the loop it
/// came from; the closure merely carries it across the thread that posts it.
package struct LoopBound<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
