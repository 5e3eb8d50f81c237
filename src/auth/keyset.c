/* keyset.c: the verification keys: the HS256 secret and the PEM key, loaded once,
 * and the JWKS keys, replaced when the file changes. Files are read here (jwt.c
 * stays pure); JWK members become keys in jwk.c. */
#include "auth/keyset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/jwk.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"

struct od_keyset_key {
    char *kid;              /* malloc'd; "" = none */
    od_keyset_alg alg;      /* the one algorithm this key verifies */
    unsigned char *secret;  /* HS256: malloc'd secret bytes; else NULL */
    size_t secret_len;
    EVP_PKEY *pkey;         /* RS256 / ES256: the public key; else NULL */
};

typedef struct keylist {
    od_keyset_key *v;       /* malloc'd array of n keys (room for cap) */
    size_t n, cap;
} keylist;

typedef struct stamp {      /* identifies one version of the JWKS file */
    bool valid;             /* false: never read, or the last stat failed */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} stamp;

struct od_keyset {
    keylist fixed;          /* the HS256 secret and the PEM key: loaded once */
    keylist jwks;           /* the JWKS keys: replaced on reload */
    char *jwks_file;        /* malloc'd; NULL = no JWKS */
    int interval;           /* seconds between looks at the JWKS file; 0 = never */
    time_t last_look;       /* when od_keyset_maybe_reload last looked; 0 = never */
    stamp seen;             /* the version of the file last read, good or bad */
};

static const char *const alg_names[] = { "?", "HS256", "RS256", "ES256" };

int
od_keyset_alg_parse(const char *name, od_keyset_alg *out)
{
    for (int i = OD_KEYSET_HS256; i <= OD_KEYSET_ES256; i++) {
        if (name != NULL && strcmp(name, alg_names[i]) == 0) {
            *out = (od_keyset_alg)i;
            return 0;
        }
    }
    return -1;
}

const char *
od_keyset_alg_name(od_keyset_alg alg)
{
    return alg >= OD_KEYSET_HS256 && alg <= OD_KEYSET_ES256 ? alg_names[alg] : "?";
}

static void
key_clear(od_keyset_key *k)
{
    free(k->kid);
    if (k->secret != NULL)
        OPENSSL_clear_free(k->secret, k->secret_len);
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof(*k));
}

static void
list_free(keylist *l)
{
    for (size_t i = 0; i < l->n; i++)
        key_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Appends k (takes its contents, which are cleared even on failure). */
static od_rc
list_add(keylist *l, od_keyset_key *k)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        od_keyset_key *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            key_clear(k);
            return OD_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *k;
    memset(k, 0, sizeof(*k));
    return OD_OK;
}

static const od_keyset_key *
list_kid(const keylist *l, const char *kid)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].kid, kid) == 0)
            return &l->v[i];
    }
    return NULL;
}

static void
stamp_of(const struct stat *sb, stamp *st)
{
    st->valid = true;
    st->dev = sb->st_dev;
    st->ino = sb->st_ino;
    st->size = sb->st_size;
    st->mtime = sb->st_mtim;
    st->ctime = sb->st_ctim;
}

static bool
stamp_same(const stamp *a, const stamp *b)
{
    return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Reads the regular file path (at most OD_KEYSET_FILE_MAX bytes) into b, which the
 * caller frees with od_buf_free, and its stamp into *st when st is not NULL. */
static od_rc
read_file(const char *setting, const char *path, od_buf *b, stamp *st, char *err,
          size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    char chunk[4096];
    size_t n;
    od_rc rc = OD_EINVAL;

    od_buf_init(b, OD_KEYSET_FILE_MAX);
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open \"%s\": %s", setting, path, strerror(errno));
        return OD_EINVAL;
    }
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: \"%s\" is not a regular file", setting, path);
        goto cleanup;
    }
    if (st != NULL)
        stamp_of(&sb, st);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (od_buf_append(b, chunk, n) != OD_OK) {
            snprintf(err, errlen, "%s: \"%s\" is larger than %d bytes", setting, path,
                     OD_KEYSET_FILE_MAX);
            goto cleanup;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: cannot read \"%s\"", setting, path);
        goto cleanup;
    }
    rc = OD_OK;
cleanup:
    if (rc != OD_OK)
        od_buf_free(b);
    fclose(f);
    return rc;
}

static od_rc
add_secret(keylist *l, const char *secret)
{
    od_keyset_key k = { .alg = OD_KEYSET_HS256 };

    k.secret_len = strlen(secret);
    k.kid = strdup("");
    k.secret = malloc(k.secret_len);
    if (k.kid == NULL || k.secret == NULL) {
        key_clear(&k);
        return OD_ENOMEM;
    }
    memcpy(k.secret, secret, k.secret_len);
    return list_add(l, &k);
}

static od_rc
add_pem(keylist *l, const od_keyset_settings *s, char *err, size_t errlen)
{
    const char *set = "ODYSSEY_JWT_PUBLIC_KEY_FILE";
    const char *kid = s->public_key_kid != NULL ? s->public_key_kid : "";
    od_keyset_key k = { .alg = OD_KEYSET_RS256 };
    const char *why;
    od_buf text;
    BIO *bio;
    od_rc rc;

    if (s->public_key_alg != NULL && s->public_key_alg[0] != '\0' &&
        (od_keyset_alg_parse(s->public_key_alg, &k.alg) != 0 || k.alg == OD_KEYSET_HS256)) {
        snprintf(err, errlen, "ODYSSEY_JWT_PUBLIC_KEY_ALG: expected RS256 or ES256, got "
                 "\"%s\"", s->public_key_alg);
        return OD_EINVAL;
    }
    if (strlen(kid) > OD_KEYSET_KID_MAX) {
        snprintf(err, errlen, "ODYSSEY_JWT_PUBLIC_KEY_KID: longer than %d bytes",
                 OD_KEYSET_KID_MAX);
        return OD_EINVAL;
    }
    rc = read_file(set, s->public_key_file, &text, NULL, err, errlen);
    if (rc != OD_OK)
        return rc;
    bio = BIO_new_mem_buf(od_buf_str(&text), (int)text.len);
    k.pkey = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    od_buf_free(&text);
    if (k.pkey == NULL) {
        ERR_clear_error();
        snprintf(err, errlen, "%s: \"%s\" holds no PEM public key (-----BEGIN PUBLIC "
                 "KEY-----)", set, s->public_key_file);
        return OD_EINVAL;
    }
    if (!od_jwk_pkey_fits(k.pkey, k.alg, &why)) {
        snprintf(err, errlen, "%s: \"%s\" cannot verify %s: %s", set, s->public_key_file,
                 od_keyset_alg_name(k.alg), why);
        key_clear(&k);
        return OD_EINVAL;
    }
    k.kid = strdup(kid);
    if (k.kid == NULL) {
        key_clear(&k);
        return OD_ENOMEM;
    }
    return list_add(l, &k);
}

/* Turns the JWKS document into keys in out; fixed holds the kids already taken. */
static od_rc
parse_jwks(const char *path, const od_buf *text, const keylist *fixed, keylist *out,
           char *err, size_t errlen)
{
    json_object *doc = NULL, *arr;
    od_arena *scratch = od_arena_create(0);
    const char *why;
    size_t off;
    od_rc rc = OD_EINVAL;

    if (scratch == NULL) {
        snprintf(err, errlen, "ODYSSEY_JWKS_FILE: out of memory");
        return OD_ENOMEM;
    }
    if (od_json_parse(od_buf_str(text), text->len, &doc, &off, &why) != OD_OK) {
        snprintf(err, errlen, "ODYSSEY_JWKS_FILE: \"%s\" is not JSON (byte %zu: %s)",
                 path, off, why);
        goto cleanup;
    }
    if (!json_object_is_type(doc, json_type_object) ||
        !json_object_object_get_ex(doc, "keys", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        snprintf(err, errlen, "ODYSSEY_JWKS_FILE: \"%s\" is not a JWK set "
                 "({\"keys\":[...]})", path);
        goto cleanup;
    }
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        od_keyset_key k = { 0 };
        const char *kid = NULL;

        od_arena_reset(scratch);
        if (!od_jwk_to_pkey(json_object_array_get_idx(arr, i), scratch, &kid, &k.alg,
                            &k.pkey, &why)) {
            od_log_warn("ODYSSEY_JWKS_FILE %s: key %zu (kid \"%s\") skipped: %s", path, i,
                        kid != NULL ? kid : "", why);
            continue;
        }
        if (list_kid(fixed, kid) != NULL || list_kid(out, kid) != NULL) {
            od_log_warn("ODYSSEY_JWKS_FILE %s: key %zu skipped: kid \"%s\" is already "
                        "taken", path, i, kid);
            key_clear(&k);
            continue;
        }
        k.kid = strdup(kid);
        if (k.kid == NULL || list_add(out, &k) != OD_OK) {
            key_clear(&k);
            snprintf(err, errlen, "ODYSSEY_JWKS_FILE: out of memory");
            rc = OD_ENOMEM;
            goto cleanup;
        }
    }
    if (out->n == 0)
        od_log_warn("ODYSSEY_JWKS_FILE %s: no usable signing key", path);
    rc = OD_OK;
cleanup:
    json_object_put(doc);
    od_arena_destroy(scratch);
    if (rc != OD_OK)
        list_free(out);
    return rc;
}

/* Reads and parses the JWKS file into *out (emptied first), and its stamp. */
static od_rc
load_jwks(const od_keyset *ks, keylist *out, stamp *st, char *err, size_t errlen)
{
    od_buf text;
    od_rc rc;

    memset(out, 0, sizeof(*out));
    rc = read_file("ODYSSEY_JWKS_FILE", ks->jwks_file, &text, st, err, errlen);
    if (rc != OD_OK)
        return rc;
    rc = parse_jwks(ks->jwks_file, &text, &ks->fixed, out, err, errlen);
    od_buf_free(&text);
    return rc;
}

od_rc
od_keyset_open(const od_keyset_settings *s, od_keyset **out, char *err, size_t errlen)
{
    od_keyset *ks = calloc(1, sizeof(*ks));
    od_rc rc = OD_ENOMEM;

    *out = NULL;
    snprintf(err, errlen, "out of memory");
    if (ks == NULL)
        return OD_ENOMEM;
    ks->interval = s->jwks_reload_interval > 0 ? s->jwks_reload_interval : 0;
    if (s->hs256_secret != NULL && s->hs256_secret[0] != '\0' &&
        (rc = add_secret(&ks->fixed, s->hs256_secret)) != OD_OK)
        goto cleanup;
    if (s->public_key_file != NULL && s->public_key_file[0] != '\0' &&
        (rc = add_pem(&ks->fixed, s, err, errlen)) != OD_OK)
        goto cleanup;
    if (s->jwks_file != NULL && s->jwks_file[0] != '\0') {
        rc = OD_ENOMEM;
        ks->jwks_file = strdup(s->jwks_file);
        if (ks->jwks_file == NULL ||
            (rc = load_jwks(ks, &ks->jwks, &ks->seen, err, errlen)) != OD_OK)
            goto cleanup;
    }
    *out = ks;
    ks = NULL;
    rc = OD_OK;
cleanup:
    od_keyset_free(ks);
    return rc;
}

void
od_keyset_free(od_keyset *ks)
{
    if (ks == NULL)
        return;
    list_free(&ks->fixed);
    list_free(&ks->jwks);
    free(ks->jwks_file);
    free(ks);
}

size_t
od_keyset_count(const od_keyset *ks)
{
    return ks->fixed.n + ks->jwks.n;
}

/* Reads the JWKS file again; on failure keeps the old keys and logs. */
static od_rc
reload(od_keyset *ks)
{
    keylist fresh;
    char err[512];
    od_rc rc = load_jwks(ks, &fresh, &ks->seen, err, sizeof(err));

    if (rc != OD_OK) {
        od_log_error("%s; keeping the %zu keys loaded before", err, ks->jwks.n);
        return rc;
    }
    list_free(&ks->jwks);
    ks->jwks = fresh;
    od_log_info("ODYSSEY_JWKS_FILE %s: reloaded, %zu key(s)", ks->jwks_file, fresh.n);
    return OD_OK;
}

od_rc
od_keyset_maybe_reload(od_keyset *ks, time_t now)
{
    struct stat sb;
    stamp st;

    if (ks->jwks_file == NULL || ks->interval == 0)
        return OD_OK;
    if (ks->last_look != 0 && now >= ks->last_look && now - ks->last_look < ks->interval)
        return OD_OK;
    ks->last_look = now;
    if (stat(ks->jwks_file, &sb) != 0) {
        if (ks->seen.valid)
            od_log_error("ODYSSEY_JWKS_FILE: cannot stat \"%s\": %s; keeping the %zu keys "
                         "loaded before", ks->jwks_file, strerror(errno), ks->jwks.n);
        ks->seen.valid = false;
        return OD_EINVAL;
    }
    stamp_of(&sb, &st);
    if (stamp_same(&st, &ks->seen))
        return OD_OK;
    ks->seen = st;  /* a file that cannot be opened is not retried until it changes */
    return reload(ks);
}

od_rc
od_keyset_reload(od_keyset *ks)
{
    return ks->jwks_file != NULL ? reload(ks) : OD_OK;
}

od_keyset_match
od_keyset_find(const od_keyset *ks, const char *kid, od_keyset_alg alg,
               const od_keyset_key **key)
{
    const keylist *lists[2] = { &ks->fixed, &ks->jwks };

    *key = NULL;
    if (kid != NULL && kid[0] != '\0') {
        const od_keyset_key *k = list_kid(&ks->fixed, kid);

        if (k == NULL)
            k = list_kid(&ks->jwks, kid);
        if (k == NULL)
            return OD_KEYSET_NO_KEY;
        if (k->alg != alg)
            return OD_KEYSET_WRONG_ALG;
        *key = k;
        return OD_KEYSET_MATCH;
    }
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const od_keyset_key *k = &lists[l]->v[i];

            if (k->kid[0] == '\0' && k->alg == alg) {
                *key = k;
                return OD_KEYSET_MATCH;
            }
        }
    }
    return OD_KEYSET_WRONG_ALG;
}

od_keyset_alg
od_keyset_key_alg(const od_keyset_key *k)
{
    return k->alg;
}

const unsigned char *
od_keyset_key_secret(const od_keyset_key *k, size_t *len)
{
    *len = k->secret_len;
    return k->secret;
}

EVP_PKEY *
od_keyset_key_pkey(const od_keyset_key *k)
{
    return k->pkey;
}
