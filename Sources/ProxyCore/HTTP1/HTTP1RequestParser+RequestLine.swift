extension HTTP1RequestParser {
    /// A validated request line: `method SP request-target SP HTTP-version` (RFC 9112 §3).
    struct RequestLine {
        var method: HTTPMethod
        /// The target's bytes within the section.
        var target: Range<Int>
        var version: HTTPVersion

        /// Parses `section[line]` (without its CRLF). Exactly one SP between the three parts: no
        /// other whitespace is accepted (RFC 9112 §3 allows lenient parsing; a proxy must not).
        init(_ section: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTP1ParseError) {
            // method = token (RFC 9110 §9.1)
            var i = line.lowerBound
            while i < line.upperBound && HTTP1Bytes.isTokenByte(section[i]) { i += 1 }
            let methodEnd = i
            guard methodEnd > line.lowerBound, methodEnd < line.upperBound, section[methodEnd] == HTTP1Bytes.sp else {
                throw HTTP1ParseError(.badRequest, "malformed request line: \"\(HTTP1Bytes.excerpt(section, line))\"")
            }

            // request-target: visible ASCII only, ending at the next SP (RFC 9112 §3.2). Control
            // bytes, DEL and non-ASCII bytes are never valid in a URI (RFC 3986 §2).
            i += 1
            let targetStart = i
            while i < line.upperBound && section[i] != HTTP1Bytes.sp {
                let b = section[i]
                guard b > 0x20 && b < 0x7F else {
                    throw HTTP1ParseError(.badRequest, "invalid byte 0x\(String(b, radix: 16)) in request target")
                }
                // A request target never carries a fragment (RFC 9112 §3.2); libcurl would cut
                // it off, so the provider would see a different path than the one routed.
                guard b != UInt8(ascii: "#") else {
                    throw HTTP1ParseError(.badRequest, "fragment (\"#\") in request target")
                }
                i += 1
            }
            guard i > targetStart else { throw HTTP1ParseError(.badRequest, "empty request target") }
            guard i < line.upperBound else { throw HTTP1ParseError(.badRequest, "request line without HTTP version") }
            let targetEnd = i
            i += 1

            // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
            let versionBytes = UnsafeRawBufferPointer(rebasing: section[i..<line.upperBound])
            guard versionBytes.count == 8,
                  HTTP1Bytes.equals(UnsafeRawBufferPointer(rebasing: versionBytes[0..<5]), "HTTP/"),
                  versionBytes[5] &- UInt8(ascii: "0") < 10,
                  versionBytes[6] == UInt8(ascii: "."),
                  versionBytes[7] &- UInt8(ascii: "0") < 10
            else {
                throw HTTP1ParseError(.badRequest, "malformed HTTP version: \"\(HTTP1Bytes.excerpt(section, i..<line.upperBound))\"")
            }
            let version = HTTPVersion(major: versionBytes[5] - UInt8(ascii: "0"), minor: versionBytes[7] - UInt8(ascii: "0"))
            guard version == .http1_1 || version == .http1_0 else {
                throw HTTP1ParseError(.versionNotSupported, "\(version) is not supported")
            }

            guard let method = HTTPMethod(bytes: UnsafeRawBufferPointer(rebasing: section[line.lowerBound..<methodEnd])) else {
                throw HTTP1ParseError(.methodNotImplemented, "method \"\(HTTP1Bytes.excerpt(section, line.lowerBound..<methodEnd))\" is not implemented")
            }

            try Self.checkTargetForm(section, targetStart..<targetEnd, method: method)
            self.method = method
            self.target = targetStart..<targetEnd
            self.version = version
        }

        /// RFC 9112 §3.2: origin-form (`/path?query`), absolute-form (`http://authority/…`), or
        /// asterisk-form (`*`, only with OPTIONS). authority-form belongs to CONNECT, which is not
        /// implemented.
        static func checkTargetForm(_ section: UnsafeRawBufferPointer, _ target: Range<Int>, method: HTTPMethod) throws(HTTP1ParseError) {
            let first = section[target.lowerBound]
            if first == UInt8(ascii: "/") { return }
            if first == UInt8(ascii: "*") && target.count == 1 {
                guard method == .options else {
                    throw HTTP1ParseError(.badRequest, "asterisk-form target is only valid for OPTIONS")
                }
                return
            }
            // absolute-form: "http://" or "https://" (scheme is case-insensitive, RFC 3986 §3.1),
            // then a non-empty authority.
            var authorityStart = target.lowerBound
            if target.count > 7, HTTP1Bytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: section[target.lowerBound..<(target.lowerBound + 7)]), "http://") {
                authorityStart += 7
            } else if target.count > 8, HTTP1Bytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: section[target.lowerBound..<(target.lowerBound + 8)]), "https://") {
                authorityStart += 8
            } else {
                throw HTTP1ParseError(.badRequest, "unsupported request target form: \"\(HTTP1Bytes.excerpt(section, target))\"")
            }
            var i = authorityStart
            while i < target.upperBound && section[i] != UInt8(ascii: "/") && section[i] != UInt8(ascii: "?") { i += 1 }
            guard i > authorityStart else { throw HTTP1ParseError(.badRequest, "empty authority in request target") }
            // The same host and port grammar as a Host field; no userinfo (RFC 9110 §4.2.4).
            guard URIHost.isValidAuthority(section, authorityStart..<i) else {
                throw HTTP1ParseError(.badRequest, "invalid authority in request target")
            }
        }
    }
}
