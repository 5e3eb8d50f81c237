/* secrets_store.c: the secrets table. Bytes travel as hex text (encode/decode in
 * SQL), so the result does not depend on the server's bytea_output setting. */
#include "db/secrets_store.h"

#include <stdio.h>
#include <string.h>

static od_stmt st_insert = OD_STMT("secrets_insert",
    "INSERT INTO secrets (vendor_id, purpose, key_id, wrapped_key, nonce, ciphertext, tag) "
    "VALUES ($1::uuid, $2, $3, decode($4, 'hex'), decode($5, 'hex'), decode($6, 'hex'), "
    "decode($7, 'hex')) RETURNING id", 7, false);

static od_stmt st_read = OD_STMT("secrets_read",
    "SELECT s.id, s.purpose, " OD_SECRETS_ENVELOPE("s") " "
    "FROM secrets s WHERE s.id = $1::uuid AND s.vendor_id = $2::uuid", 2, true);

static od_stmt st_delete = OD_STMT("secrets_delete",
    "DELETE FROM secrets WHERE id = $1::uuid AND vendor_id = $2::uuid", 2, false);

static const char sql_key_counts[] =
    "SELECT key_id, count(*) AS secrets, min(created_at) AS oldest, "
    "max(rotated_at) AS last_rotated FROM secrets GROUP BY key_id ORDER BY key_id";

static const char sql_lock_batch[] =
    "SELECT id, key_id, encode(wrapped_key, 'hex') FROM secrets "
    "WHERE key_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) "
    "ORDER BY id LIMIT $3::int FOR UPDATE";

static const char sql_set_wrapped[] =
    "UPDATE secrets SET key_id = $3, wrapped_key = decode($4, 'hex'), rotated_at = now() "
    "WHERE id = $1::uuid AND key_id = $2";

static const char hexdigits[] = "0123456789abcdef";

/* Writes n bytes of src as 2n lowercase hex digits and a NUL into dst. */
static void
hex_encode(char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hexdigits[src[i] >> 4];
        dst[2 * i + 1] = hexdigits[src[i] & 0x0f];
    }
    dst[2 * n] = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the hex text s into out (cap bytes). Returns the byte count, or -1 when s
 * is not hex or would not fit. */
static long
hex_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t len = strlen(s);

    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

/* Returns an arena-owned hex copy of n bytes, or NULL. */
static char *
arena_hex(od_arena *a, const unsigned char *p, size_t n)
{
    char *s = od_arena_alloc(a, 2 * n + 1);

    if (s != NULL)
        hex_encode(s, p, n);
    return s;
}

/* Fills *w from a key id and the hex of a blob. */
static od_rc
wrapped_from_text(const char *key_id, const char *hex, od_wrapped *w)
{
    size_t idlen = strlen(key_id);
    long n;

    memset(w, 0, sizeof(*w));
    if (!od_secret_key_id_valid(key_id, idlen))
        return OD_EINVAL;
    memcpy(w->key_id, key_id, idlen + 1);
    n = hex_decode(hex, w->blob, sizeof(w->blob));
    if (n <= 0)
        return OD_EINVAL;
    w->len = (size_t)n;
    return OD_OK;
}

od_rc
od_secrets_store_insert(od_db *db, od_arena *a, const char *vendor_id, const char *purpose,
                        const od_envelope *env, const char **id, PGresult **res)
{
    const char *params[7];
    od_rc rc;

    *res = NULL;
    if (env->key.len == 0 || env->key.len > sizeof(env->key.blob) ||
        env->ctlen > OD_SECRET_VALUE_MAX)
        return OD_EINVAL;
    params[0] = vendor_id;
    params[1] = purpose;
    params[2] = env->key.key_id;
    params[3] = arena_hex(a, env->key.blob, env->key.len);
    params[4] = arena_hex(a, env->nonce, sizeof(env->nonce));
    params[5] = arena_hex(a, env->ciphertext, env->ctlen);
    params[6] = arena_hex(a, env->tag, sizeof(env->tag));
    if (params[3] == NULL || params[4] == NULL || params[5] == NULL || params[6] == NULL)
        return OD_ENOMEM;
    rc = od_db_exec(db, a, &st_insert, params, res);
    if (rc != OD_OK)
        return rc;
    *id = od_arena_strdup(a, PQgetvalue(*res, 0, 0));
    return *id != NULL ? OD_OK : OD_ENOMEM;
}

od_rc
od_secrets_store_envelope(const PGresult *res, int row, int col, od_arena *a, od_envelope *env)
{
    od_envelope got;
    const char *ct;
    long n;

    memset(env, 0, sizeof(*env));
    memset(&got, 0, sizeof(got));
    if (wrapped_from_text(PQgetvalue(res, row, col), PQgetvalue(res, row, col + 1),
                          &got.key) != OD_OK ||
        hex_decode(PQgetvalue(res, row, col + 2), got.nonce, sizeof(got.nonce)) !=
            (long)sizeof(got.nonce) ||
        hex_decode(PQgetvalue(res, row, col + 4), got.tag, sizeof(got.tag)) !=
            (long)sizeof(got.tag))
        return OD_EINVAL;
    ct = PQgetvalue(res, row, col + 3);
    got.ciphertext = od_arena_alloc(a, strlen(ct) / 2 + 1);
    if (got.ciphertext == NULL)
        return OD_ENOMEM;
    n = hex_decode(ct, got.ciphertext, OD_SECRET_VALUE_MAX);
    if (n < 0)
        return OD_EINVAL;
    got.ctlen = (size_t)n;
    *env = got;
    return OD_OK;
}

od_rc
od_secrets_store_read(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                      const od_audit_entry *who, od_envelope *env, const char **purpose,
                      PGresult **res)
{
    const char *params[] = { id, vendor_id };
    od_audit_entry e = *who;
    od_envelope got;
    const char *kind = NULL;
    od_rc rc;

    memset(env, 0, sizeof(*env));
    rc = od_db_exec(db, a, &st_read, params, res);
    if (rc != OD_OK)
        return rc;
    if (PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    rc = od_secrets_store_envelope(*res, 0, 2, a, &got);
    if (rc != OD_OK)
        return rc;
    e.entity_id = od_arena_strdup(a, PQgetvalue(*res, 0, 0));
    if (purpose != NULL)
        kind = od_arena_strdup(a, PQgetvalue(*res, 0, 1));
    if (e.entity_id == NULL || (purpose != NULL && kind == NULL))
        return OD_ENOMEM;
    e.vendor_id = vendor_id;
    e.action = who->action ? who->action : "read";
    e.entity = "secrets";
    rc = od_audit_write(db, a, &e, res);
    if (rc != OD_OK)
        return rc;
    *env = got;
    if (purpose != NULL)
        *purpose = kind;
    return OD_OK;
}

od_rc
od_secrets_store_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                        PGresult **res)
{
    const char *params[] = { id, vendor_id };
    od_rc rc = od_db_exec(db, a, &st_delete, params, res);

    if (rc != OD_OK)
        return rc;
    return strcmp(PQcmdTuples(*res), "0") == 0 ? OD_ENOTFOUND : OD_OK;
}

/* PQexecParams for the owner side: OD_OK, OD_EDB (error result) or OD_EUNAVAIL. */
static od_rc
conn_exec(PGconn *conn, const char *sql, int n, const char *const *params, PGresult **out)
{
    ExecStatusType st;

    *out = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (*out == NULL)
        return OD_EUNAVAIL;
    st = PQresultStatus(*out);
    return (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) ? OD_OK : OD_EDB;
}

od_rc
od_secrets_store_key_counts(PGconn *conn, PGresult **out)
{
    return conn_exec(conn, sql_key_counts, 0, NULL, out);
}

od_rc
od_secrets_store_lock_batch(PGconn *conn, const char *key_id, const char *after_id,
                            int limit, PGresult **out)
{
    char lim[16];
    const char *params[] = { key_id, after_id, lim };

    snprintf(lim, sizeof(lim), "%d", limit);
    return conn_exec(conn, sql_lock_batch, 3, params, out);
}

od_rc
od_secrets_store_batch_row(const PGresult *res, int row, const char **id, od_wrapped *w)
{
    if (row < 0 || row >= PQntuples(res) || PQnfields(res) != 3)
        return OD_EINVAL;
    *id = PQgetvalue(res, row, 0);
    return wrapped_from_text(PQgetvalue(res, row, 1), PQgetvalue(res, row, 2), w);
}

od_rc
od_secrets_store_set_wrapped(PGconn *conn, const char *id, const char *old_key_id,
                             const od_wrapped *w, PGresult **out)
{
    char hex[2 * OD_SECRET_WRAPPED_MAX + 1];
    const char *params[] = { id, old_key_id, w->key_id, hex };
    od_rc rc;

    *out = NULL;
    if (w->len == 0 || w->len > sizeof(w->blob) ||
        !od_secret_key_id_valid(w->key_id, strnlen(w->key_id, sizeof(w->key_id))))
        return OD_EINVAL;
    hex_encode(hex, w->blob, w->len);
    rc = conn_exec(conn, sql_set_wrapped, 4, params, out);
    if (rc != OD_OK)
        return rc;
    if (strcmp(PQcmdTuples(*out), "1") != 0) {
        PQclear(*out);
        *out = NULL;
        return OD_ENOTFOUND;
    }
    PQclear(*out);
    *out = NULL;
    return OD_OK;
}
