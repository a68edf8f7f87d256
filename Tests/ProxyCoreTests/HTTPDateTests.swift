import Testing
@testable import ProxyCore

@Suite struct HTTPDateTests {
    @Test func formatsTheRFCExampleDate() {
        // RFC 9110 §5.6.7's example: Sun, 06 Nov 1994 08:49:37 GMT = 784111777.
        #expect(HTTPDate.imfFixdate(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func formatsTheEpochAndALeapDay() {
        #expect(HTTPDate.imfFixdate(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(epochSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }
}
