import Testing
@testable import ProxyCore

/// `CredentialKey`: a key file holds one line of printable ASCII, whitespace around it dropped.
@Suite struct CredentialKeyTests {
    @Test(arguments: [("sk-abc\n", "sk-abc"), ("  sk-abc \r\n\n", "sk-abc"), ("sk-a b", "sk-a b"), ("\tsk-abc", "sk-abc")])
    func surroundingWhitespaceIsDropped(_ file: String, _ key: String) {
        #expect(CredentialKey.parse(Array(file.utf8)) == .success(key))
    }

    @Test(arguments: [
        ("sk-line1\r\nX-Injected: yes", CredentialKey.Problem.controlCharacter(byte: 0x0D, offset: 8)),
        ("sk-line1\nX-Injected: yes\n", .controlCharacter(byte: 0x0A, offset: 8)),
        ("sk-\u{0}x", .controlCharacter(byte: 0, offset: 3)),
        ("sk-\tx", .controlCharacter(byte: 0x09, offset: 3)),
        ("sk-\u{7F}x", .controlCharacter(byte: 0x7F, offset: 3)),
        ("sk-caf\u{E9}", .nonASCII(offset: 6)),
        (" \r\n", .empty),
        ("", .empty),
    ])
    func controlCharactersInsideAreRefused(_ file: String, _ problem: CredentialKey.Problem) {
        #expect(CredentialKey.parse(Array(file.utf8)) == .failure(problem))
    }

    @Test func theProblemNeverQuotesTheKey() {
        guard case .failure(let problem) = CredentialKey.parse(Array("sk-secret\r\nX: y".utf8)) else { Issue.record(); return }
        #expect(!problem.description.contains("sk-secret"))
        #expect(problem.description.contains("control character"))
    }
}
