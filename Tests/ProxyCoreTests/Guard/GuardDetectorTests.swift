import Testing
@testable import ProxyCore

@Suite struct GuardDetectorTests {
    private func found(_ detector: GuardDetector, _ text: String) -> [String] {
        GuardTestSupport.detected(detector, in: text)
    }

    @Test func emailAddressesAreFoundAndNonAddressesAreNot() {
        #expect(found(.email, "write to john.doe+tag@example.co.uk.") == ["john.doe+tag@example.co.uk"])
        #expect(found(.email, "邮箱：zhang_san@qq.com谢谢") == ["zhang_san@qq.com"])
        #expect(found(.email, "a@b user@localhost x@y.c1 @example.com a@-x.com") == [])
    }

    @Test func internationalPhoneNumbersNeedAPlusAndEightToFifteenDigits() {
        #expect(found(.phone, "call +1 (555) 123-4567 now") == ["+1 (555) 123-4567"])
        #expect(found(.phone, "+86 138 0013 8000, +44.20.7946.0958") == ["+86 138 0013 8000", "+44.20.7946.0958"])
        #expect(found(.phone, "+12 34, +0123456789, +1234567890123456, +12345678x") == [])
    }

    @Test func chinaMobileNumbersNeedAValidPrefixAndWordBoundaries() {
        #expect(found(.chinaMobile, "联系电话13912345678谢谢") == ["13912345678"])
        #expect(found(.chinaMobile, "138-0013-8000 or 138 0013 8000") == ["138-0013-8000", "138 0013 8000"])
        #expect(found(.chinaMobile, "12345678901 138001380001 a13800138000 138-00138000") == [])
    }

    @Test func residentIDsNeedTheirCheckDigitAndARealDate() {
        #expect(found(.chinaResidentID, "身份证号11010519491231002X。") == ["11010519491231002X"])
        #expect(found(.chinaResidentID, "id 110105200002290013 and 44030419900307123x") == ["110105200002290013", "44030419900307123x"])
        // Wrong check digit; 29 February 1900; 18 digits inside a longer number.
        #expect(found(.chinaResidentID, "110105194912310021 110105190002290017 1110105194912310021") == [])
    }

    @Test func cardNumbersNeedTheLuhnCheck() {
        #expect(found(.paymentCard, "card 4111 1111 1111 1111, 5500-0000-0000-0004, 378282246310005")
            == ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"])
        #expect(found(.paymentCard, "4111 1111 1111 1112 and 411111111111 and 41111111111111111111") == [])
    }

    @Test func ibansNeedTheirCountrysLengthAndChecksum() {
        #expect(found(.iban, "pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000.")
            == ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"])
        // Checksum off by one; Germany's length with one digit missing; no such country.
        #expect(found(.iban, "GB82 WEST 1234 5698 7654 33, DE8937040044053201300, ZZ82WEST12345698765432") == [])
    }

    @Test func ipv4AddressesNeedFourOctetsInRange() {
        #expect(found(.ipv4, "hosts 192.168.1.1 and 10.0.0.255.") == ["192.168.1.1", "10.0.0.255"])
        #expect(found(.ipv4, "256.1.1.1 1.2.3 01.2.3.4 1.2.3.4.5 v1.2.3.4") == [])
    }

    @Test func ipv6AddressesAreFoundFullCompressedAndWithAnIPv4Tail() {
        #expect(found(.ipv6, "at 2001:db8::1, fe80::1ff:fe23:4567:890a and ::ffff:192.0.2.128")
            == ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128"])
        #expect(found(.ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334") == ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"])
        #expect(found(.ipv6, "at 12:30:45, 2001:db8:::1, std::vector, 1:2:3:4:5:6:7:8:9, ::") == [])
    }

    @Test func apiKeysAreFoundAndNamedByProvider() {
        let anthropic = "sk-ant-api03-" + String(repeating: "Ab1_", count: 10)
        let project = "sk-proj-" + String(repeating: "xY9-", count: 8)
        let deepseek = "sk-" + String(repeating: "0123456789abcdef", count: 2)
        let openai = "sk-" + String(repeating: "T3BlbkFJ", count: 6)
        let text = "keys: \(anthropic) \(project) \(deepseek) \(openai)"
        let bytes = Array(text.utf8)
        let result = GuardStreamScanner.scan(bytes, rules: [GuardScanRule(matcher: GuardDetectorMatcher(.apiKey))])
        #expect(result.matches.map { String(decoding: bytes[$0.range], as: UTF8.self) } == [anthropic, project, deepseek, openai])
        #expect(result.matches.map(\.pattern) == [0, 1, 2, 3])
        #expect(found(.apiKey, "sk-short task-abcdefghijklmnopqrstuvwxyz") == [])
    }

    @Test func awsAccessKeyIdsAreExactlyTwentyCharacters() {
        #expect(found(.awsAccessKey, "AKIAIOSFODNN7EXAMPLE ASIAY34FZKBOKMUTVV7A") == ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"])
        #expect(found(.awsAccessKey, "AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLEX AKIAiosfodnn7example") == [])
    }

    @Test func privateKeyBlocksAreCoveredFromBeginToEnd() {
        let block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
        #expect(found(.privateKey, "key:\n\(block)\nthanks") == [block])
        #expect(found(.privateKey, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----") == [])
    }

    @Test func anUnterminatedPrivateKeyIsCoveredToTheEndOfTheText() {
        let text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA"
        #expect(found(.privateKey, "x \(text)") == [text])
    }
}
