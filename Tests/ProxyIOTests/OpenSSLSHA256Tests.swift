import ProxyCore
import Testing
@testable import ProxyIO

/// OpenSSL's SHA-256 gives ProxyCore's pure one's digests, so keys do not depend on which hashed them.
@Suite struct OpenSSLSHA256Tests {
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, 4096])
    func digestsAreThePureImplementations(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let openssl = bytes.withUnsafeBytes { OpenSSLSHA256.digest($0) }
        #expect(openssl.hex == SHA256.digest(bytes).hex)
    }

    @Test func theStandardsExampleHashesToItsPublishedDigest() {
        let digest = Array("abc".utf8).withUnsafeBytes { OpenSSLSHA256.digest($0) }
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
