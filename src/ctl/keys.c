/* keys.c: odysseyctl keys: generate a master key line, show how many secrets each
 * master key wraps, and rotate: re-wrap every data key still under an older master
 * key with the active one, in batches, audited. Values are never decrypted. */
#include "ctl/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/masterkey.h"
#include "crypto/secrets.h"
#include "db/secrets_store.h"

#define KEYS_BATCH_DEFAULT 500
#define KEYS_BATCH_MAX     10000

static int
usage(const char *sub, int code)
{
    FILE *out = code == 0 ? stdout : stderr;

    if (sub == NULL || strcmp(sub, "generate") == 0)
        fprintf(out, "usage: odysseyctl keys generate [--id KEY_ID]\n\n"
                "Prints a new master key line \"KEY_ID BASE64\" (32 random bytes) on stdout.\n"
                "KEY_ID defaults to kYYYYMMDD-<8 hex digits>. Prepend the line to\n"
                "ODYSSEY_MASTER_KEY_FILE (the first key is the active one), reload the\n"
                "services, then run 'odysseyctl keys rotate'.\n\n");
    if (sub == NULL || strcmp(sub, "status") == 0)
        fprintf(out, "usage: odysseyctl keys status\n\n"
                "Lists the master keys loaded (ids only) and, per master key id, how many\n"
                "secrets it wraps. Exits 1 when the keys cannot be loaded or some secrets\n"
                "are wrapped under a key id that is not in the key set.\n\n");
    if (sub == NULL || strcmp(sub, "rotate") == 0)
        fprintf(out, "usage: odysseyctl keys rotate [--batch N]\n\n"
                "Re-wraps every data key whose master key id is not the active one with\n"
                "the active key, N secrets per transaction (default %d, at most %d),\n"
                "as the owner role (ODYSSEY_ADMIN_DATABASE_URL). Only the wrapped data\n"
                "keys change; the encrypted values are not touched. Writes one audit_log\n"
                "row per run. Running it again re-wraps nothing.\n",
                KEYS_BATCH_DEFAULT, KEYS_BATCH_MAX);
    return code;
}

/* Loads the master keys of cfg; prints why on failure and returns NULL. */
static od_masterkeys *
load_keys(const od_config *cfg)
{
    od_masterkeys *mk;
    char err[768], warn[768];

    if (od_masterkey_load(cfg->master_key_file, &mk, err, sizeof(err), warn,
                          sizeof(warn)) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s\n", err);
        return NULL;
    }
    if (warn[0] != '\0')
        fprintf(stderr, "odysseyctl: warning: %s\n", warn);
    return mk;
}

static int
keys_generate(int argc, char **argv)
{
    const char *id = od_ctl_opt(argc, argv, "--id");
    char defid[64], line[192];
    unsigned char rnd[4];
    struct tm tm;
    time_t now = time(NULL);
    od_rc rc;

    if (id == NULL) {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
            fprintf(stderr, "odysseyctl: keys generate: no randomness available\n");
            return 1;
        }
        gmtime_r(&now, &tm);
        snprintf(defid, sizeof(defid), "k%04d%02d%02d-%02x%02x%02x%02x", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, rnd[0], rnd[1], rnd[2], rnd[3]);
        id = defid;
    }
    rc = od_masterkey_generate(id, line, sizeof(line));
    if (rc == OD_EINVAL) {
        fprintf(stderr, "odysseyctl: --id: 1 to %d characters of A-Z a-z 0-9 . _ : -\n",
                OD_SECRET_KEY_ID_MAX);
        return 2;
    }
    if (rc != OD_OK) {
        fprintf(stderr, "odysseyctl: keys generate: %s\n", od_rc_str(rc));
        return 1;
    }
    printf("%s\n", line);
    fflush(stdout);
    OPENSSL_cleanse(line, sizeof(line));
    return 0;
}

static int
keys_status(const od_config *cfg)
{
    od_masterkeys *mk = load_keys(cfg);
    PGconn *conn;
    PGresult *res = NULL;
    long unknown = 0, stale = 0;
    int code = 1;

    if (mk != NULL) {
        printf("master keys: %zu from %s, active %s\n", od_masterkey_count(mk),
               od_masterkey_source(mk), od_masterkey_active_id(mk));
        for (size_t i = 1; i < od_masterkey_count(mk); i++)
            printf("  older key: %s\n", od_masterkey_id(mk, i));
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        goto done;
    if (od_secrets_store_key_counts(conn, &res) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s", res != NULL ? PQresultErrorMessage(res) :
                "no result from the server\n");
        goto done;
    }
    printf("%-24s %10s  %s\n", "key_id", "secrets", "state");
    for (int i = 0; i < PQntuples(res); i++) {
        const char *kid = PQgetvalue(res, i, 0), *state;
        long n = strtol(PQgetvalue(res, i, 1), NULL, 10);

        if (mk == NULL) {
            state = "?";
        } else if (strcmp(kid, od_masterkey_active_id(mk)) == 0) {
            state = "active";
        } else if (od_masterkey_has(mk, kid)) {
            state = "older key: run 'odysseyctl keys rotate'";
            stale += n;
        } else {
            state = "NOT IN THE KEY SET: these secrets cannot be read";
            unknown += n;
        }
        printf("%-24s %10ld  %s\n", kid, n, state);
    }
    if (PQntuples(res) == 0)
        printf("(no secrets stored)\n");
    if (mk != NULL)
        printf("to re-wrap: %ld, unreadable: %ld\n", stale, unknown);
    code = (mk != NULL && unknown == 0) ? 0 : 1;
done:
    PQclear(res);
    PQfinish(conn);
    od_masterkey_free(mk);
    return code;
}

/* Runs a parameterless transaction command; prints the error. */
static bool
tx(PGconn *conn, const char *sql)
{
    PGresult *res = od_ctl_exec(conn, sql, 0, NULL);

    PQclear(res);
    return res != NULL;
}

/* Re-wraps every secret under old_id with the active key of kms, batch rows per
 * transaction. Adds to *rewrapped and *failed; returns false on a database error. */
static bool
drain_key(PGconn *conn, const od_kms *kms, const char *old_id, int batch, long *rewrapped,
          long *failed)
{
    char after[64] = "";
    PGresult *res = NULL, *upd = NULL;

    for (;;) {
        long in_batch = 0;
        int rows;

        if (!tx(conn, "BEGIN"))
            return false;
        if (od_secrets_store_lock_batch(conn, old_id, after[0] ? after : NULL, batch,
                                        &res) != OD_OK)
            goto fail;
        rows = PQntuples(res);
        for (int i = 0; i < rows; i++) {
            od_wrapped w, nw;
            const char *id, *why = "read the stored row";
            od_rc rc = od_secrets_store_batch_row(res, i, &id, &w);

            if (rc == OD_OK)
                rc = od_secret_rewrap(kms, kms, &w, &nw, &why);
            if (rc == OD_OK) {
                rc = od_secrets_store_set_wrapped(conn, id, old_id, &nw, &upd);
                if (rc == OD_EDB || rc == OD_EUNAVAIL)
                    goto fail;
                why = "update the row";
            }
            if (rc == OD_OK) {
                in_batch++;
            } else {
                const char *reason = od_rc_str(rc);

                if (rc == OD_EINVAL && strcmp(why, "read the stored row") == 0)
                    reason = "impossible key id or blob";
                else if (rc == OD_EINVAL && strcmp(why, "unwrap the data key") == 0)
                    reason = "authentication failed (wrong key or altered data)";
                fprintf(stderr, "odysseyctl: secret %s (key id %s): cannot %s: %s\n",
                        PQgetvalue(res, i, 0), old_id, why, reason);
                (*failed)++;
            }
            OPENSSL_cleanse(&nw, sizeof(nw));
            snprintf(after, sizeof(after), "%s", PQgetvalue(res, i, 0));
        }
        PQclear(res);
        res = NULL;
        if (!tx(conn, "COMMIT"))
            return false;
        *rewrapped += in_batch;
        if (rows > 0)
            printf("  %s: %ld re-wrapped in this batch\n", old_id, in_batch);
        if (rows < batch)
            break;
    }
    return true;
fail:
    if (upd != NULL || res != NULL)
        fprintf(stderr, "odysseyctl: %s", upd != NULL ? PQresultErrorMessage(upd) :
                PQresultErrorMessage(res));
    PQclear(upd);
    PQclear(res);
    tx(conn, "ROLLBACK");
    return false;
}

static int
keys_rotate(const od_config *cfg, int argc, char **argv)
{
    const char *batch_text = od_ctl_opt(argc, argv, "--batch");
    long batch = KEYS_BATCH_DEFAULT, rewrapped = 0, failed = 0;
    od_masterkeys *mk = NULL;
    PGconn *conn = NULL;
    PGresult *counts = NULL;
    json_object *after = NULL;
    const char *active;
    bool ok = true;
    od_kms kms;
    char *end;
    int code = 1;

    if (batch_text != NULL) {
        errno = 0;
        batch = strtol(batch_text, &end, 10);
        if (errno != 0 || *end != '\0' || batch < 1 || batch > KEYS_BATCH_MAX) {
            fprintf(stderr, "odysseyctl: --batch: expected 1 to %d\n", KEYS_BATCH_MAX);
            return 2;
        }
    }
    mk = load_keys(cfg);
    if (mk == NULL)
        return 1;
    od_masterkey_kms(mk, &kms);
    active = od_masterkey_active_id(mk);
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        goto done;
    if (od_secrets_store_key_counts(conn, &counts) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s", counts != NULL ? PQresultErrorMessage(counts) :
                "no result from the server\n");
        goto done;
    }
    printf("active master key: %s\n", active);
    for (int i = 0; ok && i < PQntuples(counts); i++) {
        const char *kid = PQgetvalue(counts, i, 0);
        long n = strtol(PQgetvalue(counts, i, 1), NULL, 10);

        if (strcmp(kid, active) == 0)
            continue;
        if (!od_masterkey_has(mk, kid)) {
            fprintf(stderr, "odysseyctl: %ld secrets are wrapped under key id %s, which is "
                    "not in the key set: put that key back (after the active one) to "
                    "re-wrap them\n", n, kid);
            failed += n;
            continue;
        }
        ok = drain_key(conn, &kms, kid, (int)batch, &rewrapped, &failed);
    }
    /* one audit row per run, also after a failure: committed batches did change rows */
    after = json_object_new_object();
    json_object_object_add(after, "rewrapped", json_object_new_int64(rewrapped));
    json_object_object_add(after, "failed", json_object_new_int64(failed));
    json_object_object_add(after, "key_id", json_object_new_string(active));
    if (!od_ctl_audit(conn, "update", "secrets", NULL, NULL,
                      json_object_to_json_string(after)))
        ok = false;
    printf("re-wrapped %ld data keys with %s; %ld failed\n", rewrapped, active, failed);
    code = (ok && failed == 0) ? 0 : 1;
done:
    json_object_put(after);
    PQclear(counts);
    PQfinish(conn);
    od_masterkey_free(mk);
    return code;
}

int
od_ctl_keys(const od_config *cfg, int argc, char **argv)
{
    static const char *const subs[] = { "generate", "status", "rotate" };
    const char *sub = NULL;

    for (size_t i = 0; argc >= 2 && i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(argv[1], subs[i]) == 0)
            sub = subs[i];
    }
    if (od_ctl_wants_help(argc, argv))
        return usage(sub, 0);
    if (sub == NULL)
        return usage(NULL, 2);
    if (strcmp(sub, "generate") == 0)
        return keys_generate(argc - 1, argv + 1);
    if (strcmp(sub, "status") == 0)
        return keys_status(cfg);
    return keys_rotate(cfg, argc - 1, argv + 1);
}
