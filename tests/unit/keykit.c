/* keykit.c: keys, JWKs, signed tokens and scratch files for the JWT tests. */
#include "keykit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

EVP_PKEY *
od_kit_rsa(unsigned bits)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)(bits ? bits : 2048));
}

EVP_PKEY *
od_kit_ec(const char *curve)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

char *
od_kit_b64url(const void *data, size_t len)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *p = data;
    char *out = malloc(len * 4 / 3 + 4), *o = out;
    size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        *o++ = abc[p[i] >> 2];
        *o++ = abc[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *o++ = abc[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        *o++ = abc[p[i + 2] & 63];
    }
    if (len - i == 1) {
        *o++ = abc[p[i] >> 2];
        *o++ = abc[(p[i] & 3) << 4];
    } else if (len - i == 2) {
        *o++ = abc[p[i] >> 2];
        *o++ = abc[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *o++ = abc[(p[i + 1] & 15) << 2];
    }
    *o = '\0';
    return out;
}

char *
od_kit_pem(EVP_PKEY *pk)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *out;
    long n;

    PEM_write_bio_PUBKEY(bio, pk);
    n = BIO_get_mem_data(bio, &data);
    out = malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(bio);
    return out;
}

/* Returns the big-endian bytes of the BIGNUM parameter name as base64url. */
static char *
bn_b64(EVP_PKEY *pk, const char *name, int pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;
    char *out;

    EVP_PKEY_get_bn_param(pk, name, &bn);
    n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    out = od_kit_b64url(buf, (size_t)n);
    BN_free(bn);
    return out;
}

char *
od_kit_jwk(EVP_PKEY *pk, const char *kid, const char *extra)
{
    char *a, *b, *out = malloc(4096);
    char kidm[300] = "";

    if (kid != NULL)
        snprintf(kidm, sizeof(kidm), "\"kid\":\"%s\",", kid);
    if (EVP_PKEY_is_a(pk, "RSA")) {
        a = bn_b64(pk, OSSL_PKEY_PARAM_RSA_N, 0);
        b = bn_b64(pk, OSSL_PKEY_PARAM_RSA_E, 0);
        snprintf(out, 4096, "{%s\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"%s%s}", kidm, a, b,
                 extra ? "," : "", extra ? extra : "");
    } else {
        char group[64];
        size_t glen;
        int size;

        EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen);
        size = strcmp(group, "prime256v1") == 0 ? 32 : 48;
        a = bn_b64(pk, OSSL_PKEY_PARAM_EC_PUB_X, size);
        b = bn_b64(pk, OSSL_PKEY_PARAM_EC_PUB_Y, size);
        snprintf(out, 4096, "{%s\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s%s}",
                 kidm, size == 32 ? "P-256" : "P-384", a, b, extra ? "," : "",
                 extra ? extra : "");
    }
    free(a);
    free(b);
    return out;
}

/* Returns base64url(header) "." base64url(claims), caller frees. */
static char *
signing_input(const char *header, const char *claims)
{
    char *h = od_kit_b64url(header, strlen(header));
    char *c = od_kit_b64url(claims, strlen(claims));
    size_t n = strlen(h) + strlen(c) + 2;
    char *out = malloc(n);

    snprintf(out, n, "%s.%s", h, c);
    free(h);
    free(c);
    return out;
}

/* Returns input "." base64url(sig), caller frees; frees input. */
static char *
finish(char *input, const unsigned char *sig, size_t len)
{
    char *s = od_kit_b64url(sig, len);
    size_t n = strlen(input) + strlen(s) + 2;
    char *out = malloc(n);

    snprintf(out, n, "%s.%s", input, s);
    free(input);
    free(s);
    return out;
}

char *
od_kit_sign(EVP_PKEY *pk, const char *header, const char *claims)
{
    char *input = signing_input(header, claims);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[1024], raw[64];
    size_t len = sizeof(sig);

    EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, pk, NULL);
    EVP_DigestSign(md, sig, &len, (const unsigned char *)input, strlen(input));
    EVP_MD_CTX_free(md);
    if (EVP_PKEY_is_a(pk, "EC")) {
        /* JWS wants r || s, 32 bytes each; OpenSSL gives DER. */
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);

        BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
        ECDSA_SIG_free(es);
        return finish(input, raw, sizeof(raw));
    }
    return finish(input, sig, len);
}

char *
od_kit_hs256(const void *secret, size_t len, const char *header, const char *claims)
{
    char *input = signing_input(header, claims);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;

    HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)input, strlen(input), mac,
         &maclen);
    return finish(input, mac, maclen);
}

char *
od_kit_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *out = malloc(n);

    snprintf(out, n, "%s/%s", dir, name);
    return out;
}

int
od_kit_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int rc;

    if (f == NULL)
        return -1;
    rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

int
od_kit_touch(const char *path, long delta)
{
    struct timespec t[2];

    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec += delta;
    t[1] = t[0];
    return utimensat(AT_FDCWD, path, t, 0);
}

char *
od_kit_mkdtemp(void)
{
    char tmpl[] = "/tmp/od-keys-XXXXXX";
    char *d = mkdtemp(tmpl);

    return d != NULL ? strdup(d) : NULL;
}

void
od_kit_rmdir(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            char *p = od_kit_path(dir, e->d_name);

            unlink(p);
            free(p);
        }
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
    free(dir);
}
