/* secrets_store.h: the SQL of the secrets table (sql/013_secrets.sql). Envelopes
 * go in and come out as bytes; this layer never sees a key or a plaintext. The API
 * and the daemon use od_db; odysseyctl's rotation uses a plain owner PGconn. */
#ifndef OD_DB_SECRETS_STORE_H
#define OD_DB_SECRETS_STORE_H

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/status.h"
#include "crypto/secrets.h"
#include "db/audit.h"
#include "db/db.h"

/* Stores env (borrowed) for vendor_id with purpose ('webhook', 'connector'). On OD_OK
 * *id is the new row's id (arena-owned). Otherwise the od_db_exec codes, with *res
 * the error result for OD_EDB (23503: unknown vendor; 23514: bad purpose). */
od_rc od_secrets_store_insert(od_db *db, od_arena *a, const char *vendor_id,
                              const char *purpose, const od_envelope *env, const char **id,
                              PGresult **res);

/* Loads secret id of vendor_id into *env (ciphertext arena-owned) and, when purpose
 * is not NULL, its purpose (arena-owned); then records the read with od_audit_write
 * in the caller's transaction: *who (borrowed: actor, ip, user agent, request id) is
 * copied with vendor_id, action "read", entity "secrets" and the secret's id filled
 * in. No envelope is handed out unless the audit row was written. Returns OD_OK,
 * OD_ENOTFOUND (no such secret for this vendor), OD_EINVAL (a stored field of
 * impossible size) or the od_db_exec codes with *res. */
od_rc od_secrets_store_read(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                            const od_audit_entry *who, od_envelope *env,
                            const char **purpose, PGresult **res);

/* The select list of one envelope of the secrets row aliased s: five columns (key id,
 * then wrapped key, nonce, ciphertext and tag in hex) that od_secrets_store_envelope
 * reads; for the daemon's joins, which read without an audit row per use. */
#define OD_SECRETS_ENVELOPE(s) \
    s ".key_id, encode(" s ".wrapped_key, 'hex'), encode(" s ".nonce, 'hex'), " \
    "encode(" s ".ciphertext, 'hex'), encode(" s ".tag, 'hex')"

/* Reads the five OD_SECRETS_ENVELOPE columns of res's row from column col into *env
 * (ciphertext arena-owned). Returns OD_OK, OD_EINVAL (a field of impossible size or
 * not hex) or OD_ENOMEM. */
od_rc od_secrets_store_envelope(const PGresult *res, int row, int col, od_arena *a,
                                od_envelope *env);

/* Deletes secret id of vendor_id. Returns OD_OK, OD_ENOTFOUND or the od_db_exec codes
 * with *res. */
od_rc od_secrets_store_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                              PGresult **res);

/* Owner side (odysseyctl, plain PGconn). Each returns OD_OK with *out the result,
 * OD_EDB with *out the error result (PQresultErrorMessage), or OD_EUNAVAIL with *out
 * NULL when libpq gave no result at all; the caller PQclears *out. */

/* One row per master key id: key_id, secrets (count), oldest created_at, latest
 * rotated_at (NULL when none), ordered by key_id. */
od_rc od_secrets_store_key_counts(PGconn *conn, PGresult **out);

/* Locks (FOR UPDATE, inside the caller's transaction) up to limit secrets still
 * wrapped under key_id whose id is greater than after_id (NULL: from the start),
 * ordered by id (the index secrets_key_id_idx). Columns: id, key_id, wrapped_key;
 * read them with od_secrets_store_batch_row. */
od_rc od_secrets_store_lock_batch(PGconn *conn, const char *key_id, const char *after_id,
                                  int limit, PGresult **out);

/* Reads row of a od_secrets_store_lock_batch result: *id borrowed from res, *w
 * filled. Returns OD_OK or OD_EINVAL when the stored key id or blob is impossible. */
od_rc od_secrets_store_batch_row(const PGresult *res, int row, const char **id,
                                 od_wrapped *w);

/* Replaces the wrapped data key of secret id, if it is still wrapped under
 * old_key_id, with *w (borrowed) and sets rotated_at. Never touches the value.
 * Returns OD_OK, OD_ENOTFOUND (no such row under old_key_id), OD_EDB or OD_EUNAVAIL
 * as above (*out NULL on OD_OK and OD_ENOTFOUND). */
od_rc od_secrets_store_set_wrapped(PGconn *conn, const char *id, const char *old_key_id,
                                   const od_wrapped *w, PGresult **out);

#endif
