import Testing
@testable import ProxyCore

@Suite struct ProxyDurationParsingTests {
    @Test(arguments: [
        ("250ms", 250_000_000), ("2s", 2_000_000_000), ("1h", 3_600_000_000_000), ("1m30s", 90_000_000_000),
        ("1.5s", 1_500_000_000), ("0s", 0), ("10us", 10_000), ("7ns", 7), ("0.25ms", 250_000),
    ] as [(String, UInt64)])
    func validDurationsParseExactly(text: String, nanoseconds: UInt64) {
        #expect(ProxyDuration(parsing: text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "5", "-1s", "1x", "s", "1.s5", ".s", "99999999999999999999s", "6000000h", " 1s", "1s "])
    func invalidDurationsAreRejected(text: String) {
        #expect(ProxyDuration(parsing: text) == nil)
    }

    @Test func configStringRoundTrips() {
        for text in ["250ms", "2s", "1h", "90s", "5m", "10us", "7ns"] {
            let duration = ProxyDuration(parsing: text)!
            #expect(ProxyDuration(parsing: duration.configString) == duration)
        }
        #expect(ProxyDuration.seconds(90).configString == "90s")
    }
}

@Suite struct CommandLineArgumentsTests {
    @Test func flagsAndValuesAndPositionalsParse() throws {
        let args = try CommandLineArguments(["validate", "--workers", "2", "--listen=127.0.0.1:0", "--help", "f.json"],
                                            valued: ["workers", "listen"])
        #expect(args.positional == ["validate", "f.json"])
        #expect(args.value("listen") == "127.0.0.1:0")
        #expect(try args.integer("workers", default: 1, in: 1...64) == 2)
        #expect(args.flag("help"))
    }

    @Test func unknownOptionsAndMissingValuesAreUsageErrors() {
        #expect(throws: CommandLineArguments.UsageError.self) { try CommandLineArguments(["--nope"], valued: []) }
        #expect(throws: CommandLineArguments.UsageError.self) { try CommandLineArguments(["--workers"], valued: ["workers"]) }
        #expect(throws: CommandLineArguments.UsageError.self) {
            try CommandLineArguments(["--workers", "0"], valued: ["workers"]).integer("workers", default: 1, in: 1...64)
        }
    }
}
