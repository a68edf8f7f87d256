#ifndef SLUICE_COPENSSL_SHIM_H
#define SLUICE_COPENSSL_SHIM_H
// OpenSSL's macros and variadic helpers, as functions Swift can call (Swift imports neither).
#include <openssl/ssl.h>
#include <openssl/err.h>

static inline long sluice_ssl_ctx_set_min_tls12(SSL_CTX *ctx) { return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
static inline long sluice_ssl_ctx_set_options(SSL_CTX *ctx) {
    // No compression (CRIME), no renegotiation, server picks the cipher order.
    return SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}
static inline long sluice_ssl_ctx_set_mode(SSL_CTX *ctx) {
    // Partial writes and moving buffers: our write buffer may grow between retries.
    return SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}
static inline int sluice_ssl_error_want_read(void) { return SSL_ERROR_WANT_READ; }
static inline int sluice_ssl_error_want_write(void) { return SSL_ERROR_WANT_WRITE; }
static inline int sluice_ssl_error_zero_return(void) { return SSL_ERROR_ZERO_RETURN; }
static inline int sluice_ssl_filetype_pem(void) { return SSL_FILETYPE_PEM; }
static inline long sluice_ssl_set_server_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }

#endif
