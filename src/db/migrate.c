/* migrate.c: numbered SQL migrations with checksums. */
#include "db/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/buf.h"

#define OD_MIGRATION_MAX_BYTES (16 * 1024 * 1024)
#define OD_MIGRATE_LOCK "7461827301"  /* pg_advisory_lock key of the runner */

static int
by_version(const void *a, const void *b)
{
    const od_migration *x = a, *y = b;
    size_t lx = strlen(x->version), ly = strlen(y->version);

    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->version, y->version);
}

/* Reads path into b (capped). Returns 0 or -1. */
static int
read_file(const char *path, od_buf *b)
{
    char chunk[8192];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return -1;
    od_buf_init(b, OD_MIGRATION_MAX_BYTES);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (od_buf_append(b, chunk, n) != OD_OK) {
            fclose(f);
            return -1;
        }
    }
    if (ferror(f)) {
        fclose(f);
        od_buf_free(b);
        return -1;
    }
    fclose(f);
    return 0;
}

static void
sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static bool
migration_name(const char *name, char *version, size_t vlen)
{
    size_t d = 0, len = strlen(name);

    while (isdigit((unsigned char)name[d]))
        d++;
    if (d == 0 || d >= vlen || name[d] != '_' || len < 5 ||
        strcmp(name + len - 4, ".sql") != 0)
        return false;
    memcpy(version, name, d);
    version[d] = '\0';
    return true;
}

od_rc
od_migrations_load(const char *dir, od_migration_set *set, char *err, size_t errlen)
{
    DIR *d;
    struct dirent *e;
    size_t alloc = 0;

    memset(set, 0, sizeof(*set));
    set->dir = strdup(dir);
    d = opendir(dir);
    if (set->dir == NULL || d == NULL) {
        snprintf(err, errlen, "cannot open migrations directory \"%s\": %s", dir,
                 strerror(errno));
        if (d != NULL)
            closedir(d);
        od_migrations_free(set);
        return OD_EIO;
    }
    while ((e = readdir(d)) != NULL) {
        od_migration *m;
        char path[4096];
        od_buf b;

        if (set->n == alloc) {
            od_migration *more;

            alloc = alloc ? alloc * 2 : 32;
            more = realloc(set->items, alloc * sizeof(*more));
            if (more == NULL)
                goto fail_nomem;
            set->items = more;
        }
        m = &set->items[set->n];
        memset(m, 0, sizeof(*m));
        if (!migration_name(e->d_name, m->version, sizeof(m->version)) ||
            strlen(e->d_name) >= sizeof(m->name))
            continue;
        snprintf(m->name, sizeof(m->name), "%s", e->d_name);
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (read_file(path, &b) != 0) {
            snprintf(err, errlen, "cannot read migration \"%s\"", path);
            closedir(d);
            od_migrations_free(set);
            return OD_EIO;
        }
        sha256_hex(b.data ? b.data : "", b.len, m->checksum);
        od_buf_free(&b);
        set->n++;
    }
    closedir(d);
    qsort(set->items, set->n, sizeof(*set->items), by_version);
    for (size_t i = 1; i < set->n; i++) {
        if (by_version(&set->items[i - 1], &set->items[i]) == 0) {
            snprintf(err, errlen, "two migrations share version %s: %s and %s",
                     set->items[i].version, set->items[i - 1].name, set->items[i].name);
            od_migrations_free(set);
            return OD_EINVAL;
        }
    }
    return OD_OK;
fail_nomem:
    snprintf(err, errlen, "out of memory");
    closedir(d);
    od_migrations_free(set);
    return OD_ENOMEM;
}

void
od_migrations_free(od_migration_set *set)
{
    free(set->items);
    free(set->dir);
    memset(set, 0, sizeof(*set));
}

void
od_migrations_compare(const od_migration_set *set, const char *const *versions,
                      const char *const *checksums, size_t n, od_migration_status *st)
{
    memset(st, 0, sizeof(*st));
    for (size_t i = 0; i < set->n; i++) {
        bool found = false;

        for (size_t j = 0; j < n && !found; j++) {
            if (strcmp(versions[j], set->items[i].version) == 0) {
                found = true;
                if (strcmp(checksums[j], set->items[i].checksum) == 0)
                    st->applied++;
                else
                    st->changed++;
            }
        }
        if (!found)
            st->pending++;
    }
    for (size_t j = 0; j < n; j++) {
        bool found = false;

        for (size_t i = 0; i < set->n && !found; i++)
            found = strcmp(versions[j], set->items[i].version) == 0;
        if (!found)
            st->missing++;
    }
}

od_rc
od_migrations_compare_result(const od_migration_set *set, const PGresult *res,
                             od_migration_status *st)
{
    size_t n = (size_t)PQntuples(res);
    const char **versions = calloc(n + 1, sizeof(*versions));
    const char **checksums = calloc(n + 1, sizeof(*checksums));

    if (versions == NULL || checksums == NULL) {
        free(versions);
        free(checksums);
        return OD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        versions[i] = PQgetvalue(res, (int)i, 0);
        checksums[i] = PQgetvalue(res, (int)i, 1);
    }
    od_migrations_compare(set, versions, checksums, n, st);
    free(versions);
    free(checksums);
    return OD_OK;
}

static bool
ok_result(PGconn *conn, PGresult *res, char *err, size_t errlen, const char *what)
{
    ExecStatusType s = PQresultStatus(res);

    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return true;
    snprintf(err, errlen, "%s: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    return false;
}

static bool
run(PGconn *conn, const char *sql, char *err, size_t errlen, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = ok_result(conn, res, err, errlen, what);

    PQclear(res);
    return ok;
}

/* Applies one migration file in its own transaction. */
static od_rc
apply_one(PGconn *conn, const od_migration_set *set, const od_migration *m, char *err,
          size_t errlen)
{
    char path[4096];
    char checksum[65];
    const char *params[3];
    od_buf b;
    PGresult *res;
    bool ok;

    snprintf(path, sizeof(path), "%s/%s", set->dir, m->name);
    if (read_file(path, &b) != 0) {
        snprintf(err, errlen, "cannot read migration \"%s\"", path);
        return OD_EIO;
    }
    /* The file must still be what was checksummed when the set was loaded. */
    sha256_hex(b.data ? b.data : "", b.len, checksum);
    if (strcmp(checksum, m->checksum) != 0) {
        od_buf_free(&b);
        snprintf(err, errlen, "%s changed while migrating", m->name);
        return OD_EINVAL;
    }
    if (!run(conn, "BEGIN", err, errlen, m->name)) {
        od_buf_free(&b);
        return OD_EDB;
    }
    ok = run(conn, od_buf_str(&b), err, errlen, m->name);
    od_buf_free(&b);
    if (ok) {
        params[0] = m->version;
        params[1] = m->name;
        params[2] = m->checksum;
        res = PQexecParams(conn, "INSERT INTO schema_migrations (version, name, checksum) "
                           "VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
        ok = ok_result(conn, res, err, errlen, m->name);
        PQclear(res);
    }
    if (ok)
        ok = run(conn, "COMMIT", err, errlen, m->name);
    if (!ok) {
        char ignored[8];

        run(conn, "ROLLBACK", ignored, sizeof(ignored), "rollback");
        return OD_EDB;
    }
    return OD_OK;
}

/* Returns the checksum recorded for version in res (rows: version, checksum,
 * name), or NULL when it was never applied. */
static const char *
recorded(const PGresult *res, const char *version)
{
    for (int j = 0; j < PQntuples(res); j++) {
        if (strcmp(PQgetvalue(res, j, 0), version) == 0)
            return PQgetvalue(res, j, 1);
    }
    return NULL;
}

/* Writes into err every applied migration whose file changed or vanished. */
static void
describe_drift(const od_migration_set *set, const PGresult *res, char *err, size_t errlen)
{
    size_t used = (size_t)snprintf(err, errlen, "refusing to migrate: applied "
                                   "migrations differ from the files:");

    for (int j = 0; j < PQntuples(res) && used < errlen; j++) {
        const char *why = "file missing";

        for (size_t i = 0; i < set->n; i++) {
            if (strcmp(set->items[i].version, PQgetvalue(res, j, 0)) == 0)
                why = strcmp(set->items[i].checksum, PQgetvalue(res, j, 1)) == 0
                          ? NULL : "file changed";
        }
        if (why != NULL)
            used += (size_t)snprintf(err + used, errlen - used, " %s (%s)",
                                     PQgetvalue(res, j, 2), why);
    }
}

od_rc
od_migrations_apply(PGconn *conn, const od_migration_set *set, FILE *out, char *err,
                    size_t errlen)
{
    PGresult *res = NULL;
    od_migration_status st;
    od_rc rc = OD_OK;
    size_t done = 0;
    char ignored[8];

    if (!run(conn, "SELECT pg_advisory_lock(" OD_MIGRATE_LOCK ")", err, errlen, "lock"))
        return OD_EDB;
    if (!run(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
             "applied_at timestamptz NOT NULL DEFAULT now())", err, errlen,
             "schema_migrations")) {
        rc = OD_EDB;
        goto unlock;
    }
    res = PQexec(conn, "SELECT version, checksum, name FROM schema_migrations ORDER BY version");
    if (!ok_result(conn, res, err, errlen, "schema_migrations")) {
        rc = OD_EDB;
        goto unlock;
    }
    if (od_migrations_compare_result(set, res, &st) != OD_OK) {
        snprintf(err, errlen, "out of memory");
        rc = OD_ENOMEM;
        goto unlock;
    }
    if (st.changed > 0 || st.missing > 0) {
        describe_drift(set, res, err, errlen);
        rc = OD_EINVAL;
        goto unlock;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (recorded(res, set->items[i].version) != NULL)
            continue;
        rc = apply_one(conn, set, &set->items[i], err, errlen);
        if (rc != OD_OK)
            goto unlock;
        fprintf(out, "applied %s\n", set->items[i].name);
        done++;
    }
    /* The application role reads the ledger for /readyz. */
    if (!run(conn, "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = "
             "'odyssey_app') THEN GRANT SELECT ON schema_migrations TO odyssey_app; "
             "END IF; END $$", err, errlen, "grant")) {
        rc = OD_EDB;
        goto unlock;
    }
    fprintf(out, "migrations: %zu applied now, %zu in total\n", done, set->n);
unlock:
    PQclear(res);
    run(conn, "SELECT pg_advisory_unlock(" OD_MIGRATE_LOCK ")", ignored, sizeof(ignored),
        "unlock");
    return rc;
}
