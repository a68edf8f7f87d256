/// A certificate, key or CA bundle for libcurl: a PEM file on disk, or PEM bytes decoded
/// from a kubeconfig `*-data` field.
///
/// Bytes go to libcurl as blobs (`CURLOPT_CAINFO_BLOB`, `CURLOPT_SSLCERT_BLOB`,
/// `CURLOPT_SSLKEY_BLOB`; libcurl ≥ 7.77 with OpenSSL, Debian bookworm has 7.88), so a
/// private key never has to be written to a temporary file.
package enum TLSMaterial: Hashable, Sendable {
    case file(String)
    case pem([UInt8])
}
