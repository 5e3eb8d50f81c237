/* masterkey.c: the local KMS. Parses master key lines, reads them from the key
 * file or ODYSSEY_MASTER_KEY, and wraps data keys with AES-256-GCM under the
 * active key (random nonce, key id as AAD). Its only I/O is reading that file. */
#include "crypto/masterkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define B64_KEY_CHARS 44  /* padded standard base64 of 32 bytes */

/* One master key. */
typedef struct od_master_key {
    char id[OD_SECRET_KEY_ID_MAX + 1];     /* NUL-terminated, validated */
    unsigned char key[OD_SECRET_KEY_LEN];  /* the key itself */
    int line;                              /* where it was defined, for messages */
} od_master_key;

struct od_masterkeys {
    size_t n;                               /* keys in use; keys[0] is active */
    od_master_key keys[OD_MASTERKEY_MAX];
    char source[512];                       /* path or "ODYSSEY_MASTER_KEY" */
};

/* A field of a line: a slice of the text. */
typedef struct field {
    const char *p;
    size_t n;
} field;

static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Checks s as padded standard base64; returns the decoded length, or -1. */
static long
b64_decoded_len(const char *s, size_t n)
{
    size_t pad = 0;

    if (n == 0 || n % 4 != 0)
        return -1;
    if (s[n - 1] == '=')
        pad = s[n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < n - pad; i++) {
        if (b64_value((unsigned char)s[i]) < 0)
            return -1;
    }
    return (long)(n / 4 * 3 - pad);
}

/* Decodes s (already checked by b64_decoded_len) into out. */
static void
b64_decode(const char *s, size_t n, unsigned char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i += 4) {
        unsigned long v = 0;
        int have = 0;

        for (size_t j = 0; j < 4; j++) {
            int d = s[i + j] == '=' ? 0 : b64_value((unsigned char)s[i + j]);

            have += s[i + j] != '=';
            v = (v << 6) | (unsigned long)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        if (have > 2)
            out[o++] = (unsigned char)(v >> 8);
        if (have > 3)
            out[o++] = (unsigned char)v;
        OPENSSL_cleanse(&v, sizeof(v));
    }
}

/* The id of a key given without one: "fp-" and 12 hex digits of a domain-separated
 * SHA-256 of the key (stable, so rows wrapped under it stay readable). */
static od_rc
derived_id(const unsigned char *key, char *id, size_t idsize)
{
    static const char domain[] = "odyssey master key id";
    unsigned char buf[sizeof(domain) + OD_SECRET_KEY_LEN], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    od_rc rc = OD_ENOMEM;

    memcpy(buf, domain, sizeof(domain));
    memcpy(buf + sizeof(domain), key, OD_SECRET_KEY_LEN);
    if (EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen >= 6) {
        snprintf(id, idsize, "fp-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3],
                 md[4], md[5]);
        rc = OD_OK;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return rc;
}

static const od_master_key *
find_key(const od_masterkeys *mk, const char *id)
{
    for (size_t i = 0; i < mk->n; i++) {
        if (strcmp(mk->keys[i].id, id) == 0)
            return &mk->keys[i];
    }
    return NULL;
}

/* Adds a key; err names the problem (duplicate id, too many keys). */
static od_rc
add_key(od_masterkeys *mk, const char *id, const unsigned char *key, int line,
        const char *origin, char *err, size_t errlen)
{
    const od_master_key *dup = find_key(mk, id);
    od_master_key *k;

    if (dup != NULL) {
        snprintf(err, errlen, "%s line %d: duplicate key id \"%s\" (first on line %d)",
                 origin, line, id, dup->line);
        return OD_EINVAL;
    }
    if (mk->n == OD_MASTERKEY_MAX) {
        snprintf(err, errlen, "%s line %d: more than %d keys", origin, line,
                 OD_MASTERKEY_MAX);
        return OD_EINVAL;
    }
    k = &mk->keys[mk->n++];
    snprintf(k->id, sizeof(k->id), "%s", id);
    memcpy(k->key, key, OD_SECRET_KEY_LEN);
    k->line = line;
    return OD_OK;
}

/* Splits [p, end) at blanks into at most 3 fields, stopping at a '#' field. */
static int
split_fields(const char *p, const char *end, field *f)
{
    int nf = 0;

    while (p < end && nf < 3) {
        const char *s;

        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end || *p == '#')
            break;
        s = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        f[nf].p = s;
        f[nf].n = (size_t)(p - s);
        nf++;
    }
    return nf;
}

/* Parses one line with nf fields into mk. */
static od_rc
parse_line(od_masterkeys *mk, const field *f, int nf, int line, const char *origin,
           char *err, size_t errlen)
{
    static const char expected[] = "expected \"KEY_ID BASE64_KEY\" (or one lone base64 key)";
    unsigned char key[OD_SECRET_KEY_LEN];
    char id[OD_SECRET_KEY_ID_MAX + 1];
    const field *kf = nf == 1 ? &f[0] : &f[1];
    long klen;
    od_rc rc = OD_EINVAL;

    if (nf > 2) {
        snprintf(err, errlen, "%s line %d: %s", origin, line, expected);
        return OD_EINVAL;
    }
    if (nf == 2 && !od_secret_key_id_valid(f[0].p, f[0].n)) {
        snprintf(err, errlen, "%s line %d: bad key id (1 to %d characters of A-Z a-z 0-9 "
                 ". _ : -)", origin, line, OD_SECRET_KEY_ID_MAX);
        return OD_EINVAL;
    }
    klen = b64_decoded_len(kf->p, kf->n);
    if (klen < 0 || (nf == 1 && klen != OD_SECRET_KEY_LEN)) {
        if (nf == 1)
            snprintf(err, errlen, "%s line %d: %s", origin, line, expected);
        else
            snprintf(err, errlen, "%s line %d: the key is not valid base64 (expected %d "
                     "characters of padded standard base64)", origin, line, B64_KEY_CHARS);
        return OD_EINVAL;
    }
    if (klen != OD_SECRET_KEY_LEN) {
        snprintf(err, errlen, "%s line %d: the key must be %d bytes, got %ld", origin, line,
                 OD_SECRET_KEY_LEN, klen);
        return OD_EINVAL;
    }
    b64_decode(kf->p, kf->n, key);
    if (nf == 2) {
        memcpy(id, f[0].p, f[0].n);
        id[f[0].n] = '\0';
    } else if (derived_id(key, id, sizeof(id)) != OD_OK) {
        snprintf(err, errlen, "%s line %d: cannot derive the key id", origin, line);
        goto cleanup;
    }
    rc = add_key(mk, id, key, line, origin, err, errlen);
cleanup:
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

od_rc
od_masterkey_parse(const char *text, size_t len, const char *origin, od_masterkeys **out,
                   char *err, size_t errlen)
{
    const char *p = text, *end = text != NULL ? text + len : text;
    od_masterkeys *mk;
    int line = 0;
    od_rc rc = OD_OK;

    *out = NULL;
    if (errlen > 0)
        err[0] = '\0';
    if (text == NULL && len > 0)
        return OD_EINVAL;
    mk = calloc(1, sizeof(*mk));
    if (mk == NULL) {
        snprintf(err, errlen, "%s: out of memory", origin);
        return OD_ENOMEM;
    }
    snprintf(mk->source, sizeof(mk->source), "%s", origin);
    while (rc == OD_OK && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol != NULL ? eol : end;
        field f[3];
        int nf;

        line++;
        if (le > p && le[-1] == '\r')
            le--;
        nf = split_fields(p, le, f);
        p = eol != NULL ? eol + 1 : end;
        if (nf > 0)
            rc = parse_line(mk, f, nf, line, origin, err, errlen);
    }
    if (rc == OD_OK && mk->n == 0) {
        snprintf(err, errlen, "%s: no master key (expected \"KEY_ID BASE64_KEY\" lines)",
                 origin);
        rc = OD_EINVAL;
    }
    if (rc != OD_OK) {
        od_masterkey_free(mk);
        return rc;
    }
    *out = mk;
    return OD_OK;
}

/* True when every byte is printable ASCII or a line-ending/blank character. */
static bool
is_text(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
            return false;
    }
    return true;
}

/* A key file of 32 raw bytes ("head -c 32 /dev/urandom"): one key, derived id. */
static od_rc
raw_key(const unsigned char *key, const char *path, od_masterkeys **out, char *err,
        size_t errlen)
{
    char id[OD_SECRET_KEY_ID_MAX + 1];
    od_masterkeys *mk = calloc(1, sizeof(*mk));
    od_rc rc;

    if (mk == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return OD_ENOMEM;
    }
    snprintf(mk->source, sizeof(mk->source), "%s", path);
    rc = derived_id(key, id, sizeof(id));
    if (rc == OD_OK)
        rc = add_key(mk, id, key, 1, path, err, errlen);
    else
        snprintf(err, errlen, "%s: cannot derive the key id", path);
    if (rc != OD_OK) {
        od_masterkey_free(mk);
        return rc;
    }
    *out = mk;
    return OD_OK;
}

od_rc
od_masterkey_load_file(const char *path, od_masterkeys **out, char *err, size_t errlen,
                       char *warn, size_t warnlen)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    struct stat st;
    int fd;
    od_rc rc = OD_EINVAL;

    *out = NULL;
    if (errlen > 0)
        err[0] = '\0';
    if (warnlen > 0)
        warn[0] = '\0';
    if (path == NULL || path[0] == '\0') {
        snprintf(err, errlen, "no master key: set ODYSSEY_MASTER_KEY_FILE or %s",
                 OD_MASTERKEY_ENV);
        return OD_EINVAL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return OD_EIO;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        rc = OD_EIO;
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        goto cleanup;
    }
    if ((st.st_mode & 0007) != 0) {
        snprintf(err, errlen, "%s: mode %04o lets other users at the master key: chmod 600 "
                 "(or 640 for the service's group)", path, (unsigned)(st.st_mode & 07777));
        goto cleanup;
    }
    if ((st.st_mode & 0030) != 0)
        snprintf(warn, warnlen, "%s: mode %04o lets the group change the master key: "
                 "chmod 640", path, (unsigned)(st.st_mode & 07777));
    buf = malloc(OD_MASTERKEY_FILE_MAX + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = OD_ENOMEM;
        goto cleanup;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, OD_MASTERKEY_FILE_MAX + 1 - len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            rc = OD_EIO;
            goto cleanup;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > OD_MASTERKEY_FILE_MAX) {
            snprintf(err, errlen, "%s: larger than %d bytes", path, OD_MASTERKEY_FILE_MAX);
            goto cleanup;
        }
    }
    if (len == OD_SECRET_KEY_LEN && !is_text(buf, len))
        rc = raw_key(buf, path, out, err, errlen);
    else
        rc = od_masterkey_parse((const char *)buf, len, path, out, err, errlen);
cleanup:
    if (buf != NULL) {
        OPENSSL_cleanse(buf, OD_MASTERKEY_FILE_MAX + 1);
        free(buf);
    }
    close(fd);
    return rc;
}

od_rc
od_masterkey_load(const char *path, od_masterkeys **out, char *err, size_t errlen,
                  char *warn, size_t warnlen)
{
    const char *env = getenv(OD_MASTERKEY_ENV);
    char *copy;
    size_t len;
    od_rc rc;

    if (env == NULL || env[0] == '\0')
        return od_masterkey_load_file(path, out, err, errlen, warn, warnlen);
    *out = NULL;
    if (warnlen > 0)
        warn[0] = '\0';
    len = strlen(env);
    if (len > OD_MASTERKEY_FILE_MAX) {
        snprintf(err, errlen, "%s: longer than %d bytes", OD_MASTERKEY_ENV,
                 OD_MASTERKEY_FILE_MAX);
        return OD_EINVAL;
    }
    copy = malloc(len + 1);
    if (copy == NULL) {
        snprintf(err, errlen, "%s: out of memory", OD_MASTERKEY_ENV);
        return OD_ENOMEM;
    }
    memcpy(copy, env, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == ';')
            copy[i] = '\n';
    }
    rc = od_masterkey_parse(copy, len, OD_MASTERKEY_ENV, out, err, errlen);
    OPENSSL_cleanse(copy, len + 1);
    free(copy);
    return rc;
}

void
od_masterkey_free(od_masterkeys *mk)
{
    if (mk == NULL)
        return;
    OPENSSL_cleanse(mk, sizeof(*mk));
    free(mk);
}

/* od_kms.wrap: AES-256-GCM under the active key; blob = nonce | ciphertext | tag. */
static od_rc
local_wrap(void *ctx, const unsigned char *dek, size_t n, od_wrapped *out)
{
    const od_masterkeys *mk = ctx;
    const od_master_key *k = &mk->keys[0];
    od_rc rc;

    memset(out, 0, sizeof(*out));
    if (n == 0 || n > sizeof(out->blob) - OD_SECRET_NONCE_LEN - OD_SECRET_TAG_LEN)
        return OD_EINVAL;
    if (RAND_bytes(out->blob, OD_SECRET_NONCE_LEN) != 1)
        return OD_EUNAVAIL;
    rc = od_secret_gcm_seal(k->key, out->blob, k->id, strlen(k->id), dek, n,
                            out->blob + OD_SECRET_NONCE_LEN,
                            out->blob + OD_SECRET_NONCE_LEN + n);
    if (rc != OD_OK) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    memcpy(out->key_id, k->id, sizeof(out->key_id));
    out->len = OD_SECRET_NONCE_LEN + n + OD_SECRET_TAG_LEN;
    return OD_OK;
}

/* od_kms.unwrap: finds the key named by in->key_id and opens the blob. */
static od_rc
local_unwrap(void *ctx, const od_wrapped *in, unsigned char *dek, size_t *n)
{
    const od_masterkeys *mk = ctx;
    const od_master_key *k;
    size_t dl;

    if (strnlen(in->key_id, sizeof(in->key_id)) == sizeof(in->key_id))
        return OD_EINVAL;
    k = find_key(mk, in->key_id);
    if (k == NULL)
        return OD_ENOTFOUND;
    if (in->len <= OD_SECRET_NONCE_LEN + OD_SECRET_TAG_LEN || in->len > sizeof(in->blob))
        return OD_EINVAL;
    dl = in->len - OD_SECRET_NONCE_LEN - OD_SECRET_TAG_LEN;
    if (dl > *n)
        return OD_EINVAL;
    if (od_secret_gcm_open(k->key, in->blob, k->id, strlen(k->id),
                           in->blob + OD_SECRET_NONCE_LEN, dl,
                           in->blob + OD_SECRET_NONCE_LEN + dl, dek) != OD_OK)
        return OD_EINVAL;
    *n = dl;
    return OD_OK;
}

static const char *
local_active_key_id(void *ctx)
{
    const od_masterkeys *mk = ctx;

    return mk->keys[0].id;
}

void
od_masterkey_kms(od_masterkeys *mk, od_kms *kms)
{
    kms->wrap = local_wrap;
    kms->unwrap = local_unwrap;
    kms->active_key_id = local_active_key_id;
    kms->ctx = mk;
}

const char *
od_masterkey_active_id(const od_masterkeys *mk)
{
    return mk->keys[0].id;
}

size_t
od_masterkey_count(const od_masterkeys *mk)
{
    return mk->n;
}

const char *
od_masterkey_id(const od_masterkeys *mk, size_t i)
{
    return i < mk->n ? mk->keys[i].id : NULL;
}

bool
od_masterkey_has(const od_masterkeys *mk, const char *key_id)
{
    return key_id != NULL && find_key(mk, key_id) != NULL;
}

const char *
od_masterkey_source(const od_masterkeys *mk)
{
    return mk->source;
}

od_rc
od_masterkey_generate(const char *key_id, char *line, size_t n)
{
    unsigned char key[OD_SECRET_KEY_LEN], b64[B64_KEY_CHARS + 4];
    od_rc rc = OD_OK;
    int w;

    if (key_id == NULL || !od_secret_key_id_valid(key_id, strlen(key_id)))
        return OD_EINVAL;
    if (RAND_priv_bytes(key, sizeof(key)) != 1)
        return OD_EUNAVAIL;
    if (EVP_EncodeBlock(b64, key, (int)sizeof(key)) != B64_KEY_CHARS) {
        rc = OD_EINVAL;
        goto cleanup;
    }
    w = snprintf(line, n, "%s %s", key_id, (const char *)b64);
    if (w < 0 || (size_t)w >= n) {
        if (n > 0)
            OPENSSL_cleanse(line, n);
        rc = OD_ETOOBIG;
    }
cleanup:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(b64, sizeof(b64));
    return rc;
}
