import ProxyCore
import Testing

@Suite struct RedisKeySlotTests {
    @Test func crc16IsXmodem() {
        // The standard check value of CRC-16/XMODEM.
        #expect(RedisKeySlot.crc16(bytes("123456789")) == 0x31C3)
        #expect(RedisKeySlot.crc16([UInt8]()) == 0)
    }

    // Slots as `CLUSTER KEYSLOT` reports them (also checked against a real cluster in ProxyIOTests).
    @Test(arguments: [("foo", 12182), ("bar", 5061), ("hello", 866), ("somekey", 11058), ("", 0)])
    func slotsMatchRedis(_ key: String, _ slot: Int) {
        #expect(RedisKeySlot.slot(of: bytes(key)) == UInt16(slot))
    }

    @Test func keysSharingAHashTagShareASlot() {
        let following = RedisKeySlot.slot(of: bytes("{user1000}.following"))
        #expect(following == RedisKeySlot.slot(of: bytes("{user1000}.followers")))
        #expect(following == RedisKeySlot.slot(of: bytes("user1000")))
        #expect(RedisKeySlot.slot(of: bytes("sluice:{team-a}:rpm")) == RedisKeySlot.slot(of: bytes("other:{team-a}:tpd")))
    }

    @Test(arguments: [
        ("foo{}{bar}", "foo{}{bar}"),      // an empty tag: the whole key
        ("foo{{bar}}zap", "{bar"),         // from the first { to the first } after it
        ("foo{bar}{zap}", "bar"),          // only the first tag
        ("{user1000}.following", "user1000"),
        ("no-tag", "no-tag"),
        ("open{only", "open{only"),
        ("}{x}", "x"),
    ])
    func theHashedPartFollowsTheHashTagRules(_ key: String, _ hashed: String) {
        #expect(Array(RedisKeySlot.hashedPart(of: bytes(key))) == bytes(hashed))
    }
}
