/// One key and value of a RESP3 map, in the order the server sent them.
package struct RESPMapEntry: Hashable, Sendable {
    package var key: RESPValue
    package var value: RESPValue

    package init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}
