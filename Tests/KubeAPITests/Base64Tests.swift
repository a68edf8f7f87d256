import Testing
@testable import KubeAPI

@Suite struct Base64Tests {
    @Test func decodesTheRFC4648TestVectors() {
        let vectors = ["": "", "Zg==": "f", "Zm8=": "fo", "Zm9v": "foo", "Zm9vYg==": "foob", "Zm9vYmE=": "fooba", "Zm9vYmFy": "foobar"]
        for (encoded, plain) in vectors {
            #expect(Base64.decode(encoded) == Array(plain.utf8), "\(encoded)")
        }
    }

    @Test func acceptsMissingPaddingAndLineBreaks() {
        #expect(Base64.decode("Zg") == Array("f".utf8))
        #expect(Base64.decode("Zm9v\nYmFy\r\n") == Array("foobar".utf8))
        #expect(Base64.decode("+/8=") == [0xFB, 0xFF])
    }

    @Test func rejectsWhatIsNotBase64() {
        for bad in ["Z", "Zg=a", "Zm9v!", "Zh==", "Zm9=", "Zg===", "=Zg", "-_8="] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }
}
