import ProxyCore
import Testing

@Suite struct Base64Tests {
    @Test func decodesTheRFC4648TestVectors() {
        let vectors = ["": "", "Zg==": "f", "Zm8=": "fo", "Zm9v": "foo", "Zm9vYg==": "foob", "Zm9vYmE=": "fooba", "Zm9vYmFy": "foobar"]
        for (encoded, plain) in vectors {
            #expect(Base64.decode(encoded) == Array(plain.utf8), "\(encoded)")
        }
    }

    @Test func encodesTheRFC4648TestVectorsAndDecodesWhatItEncodes() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded, "\(plain)")
        }
        let bytes = (0..<256).map { UInt8($0) }
        for count in 0...bytes.count {
            #expect(Base64.decode(Base64.encode(Array(bytes[..<count]))) == Array(bytes[..<count]))
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
