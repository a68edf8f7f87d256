extension HTTPHeaders {
    /// Whether `bytes` (a field name, a value, or a whole `name: value` line) holds only what a
    /// field value may hold: no CR, LF, NUL or other control byte but HTAB, and no DEL (RFC 9110
    /// §5.5). Eight bytes per step. The check before any line leaves for another hop.
    package static func isValidFieldText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        HTTP1Bytes.firstInvalidFieldValueByte(in: bytes, 0..<bytes.count) == nil
    }

    /// `isValidFieldText` for a string.
    package static func isValidFieldText(_ text: String) -> Bool {
        if let valid = text.utf8.withContiguousStorageIfAvailable({ isValidFieldText(UnsafeRawBufferPointer($0)) }) {
            return valid
        }
        return Array(text.utf8).withUnsafeBytes { isValidFieldText($0) }
    }
}
