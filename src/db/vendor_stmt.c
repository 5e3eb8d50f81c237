/* vendor_stmt.c: instances of vendor statements, one per (statement, vendor,
 * connection), kept in a small table with least-recently-used eviction. */
#include "db/vendor_stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

#define OD_VSTMT_CAP 256  /* instances per process: 50 vendors x 5 statements */
#define MARKER "{v:"

typedef struct instance {
    const od_vstmt *vs;      /* borrowed (static) */
    od_db *db;               /* borrowed: the connection it is prepared on */
    char hex[33];            /* the vendor, as in its partition's name */
    char name[24];           /* "vs_<serial>": never reused by this process */
    unsigned long used;      /* tick of the last use, for eviction */
    od_stmt st;              /* owns st.sql (malloc); st.name points at name */
} instance;

static instance table[OD_VSTMT_CAP];
static int count;
static unsigned long tick, serial;

/* The 32 lowercase hex digits of a UUID in its text form, into hex[33]. */
static bool
uuid_hex(const char *uuid, char *hex)
{
    int n = 0;

    if (uuid == NULL || strlen(uuid) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = uuid[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
            hex[n++] = c;
        } else if (c >= 'A' && c <= 'F') {
            hex[n++] = (char)(c - 'A' + 'a');
        } else {
            return false;
        }
    }
    hex[n] = '\0';
    return true;
}

/* The text of vs for the vendor hex: {v:T} becomes T_v<hex>_scoped, the view of
 * migration 023 (T is a table name made of [a-z_]). Returns malloc'd text (caller
 * frees) or NULL. */
static char *
instance_sql(const char *sql, const char *hex)
{
    od_buf b;
    const char *p = sql, *m;

    od_buf_init(&b, 64 * 1024);
    while ((m = strstr(p, MARKER)) != NULL) {
        const char *t = m + strlen(MARKER), *end = t;

        while ((*end >= 'a' && *end <= 'z') || *end == '_')
            end++;
        if (*end != '}' || end == t) {
            od_buf_free(&b);
            return NULL;
        }
        od_buf_append(&b, p, (size_t)(m - p));
        od_buf_append(&b, t, (size_t)(end - t));
        od_buf_printf(&b, "_v%s_scoped", hex);
        p = end + 1;
    }
    od_buf_puts(&b, p);
    if (b.failed != OD_OK) {
        od_buf_free(&b);
        return NULL;
    }
    return b.data;  /* ownership passes to the caller */
}

static void
forget(instance *in)
{
    free((char *)in->st.sql);
    memset(in, 0, sizeof(*in));
}

/* Frees a slot for a new instance: the least recently used one, deallocated on
 * its connection when it is prepared there (DEALLOCATE is allowed in a
 * transaction; a failure leaves a copy on the server until the connection goes). */
static instance *
evict(void)
{
    instance *old = &table[0];
    char sql[48];

    for (int i = 1; i < count; i++) {
        if (table[i].used < old->used)
            old = &table[i];
    }
    if (od_db_prepared(old->db, &old->st)) {
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", old->name);
        if (od_db_command(old->db, sql) != OD_OK)
            od_log_warn("vendor statements: could not deallocate %s (%s)", old->name,
                        old->vs->name);
    }
    forget(old);
    return old;
}

static instance *
lookup(od_db *db, const od_vstmt *vs, const char *hex)
{
    instance *in;
    char *sql;

    for (int i = 0; i < count; i++) {
        in = &table[i];
        if (in->vs == vs && in->db == db && strcmp(in->hex, hex) == 0)
            return in;
    }
    sql = instance_sql(vs->sql, hex);
    if (sql == NULL)
        return NULL;
    in = count < OD_VSTMT_CAP ? &table[count++] : evict();
    in->vs = vs;
    in->db = db;
    memcpy(in->hex, hex, sizeof(in->hex));
    snprintf(in->name, sizeof(in->name), "vs_%lu", ++serial);
    in->st = (od_stmt){ .name = in->name, .sql = sql, .nparams = vs->nparams,
                        .idempotent = vs->idempotent, .generic = true };
    return in;
}

od_rc
od_db_exec_vendor(od_db *db, od_arena *a, const od_vstmt *vs, const char *vendor_id,
                  const char *const *params, PGresult **out)
{
    char hex[33];
    instance *in;

    *out = NULL;
    if (!uuid_hex(vendor_id, hex))
        return OD_EINVAL;
    in = lookup(db, vs, hex);
    if (in == NULL)
        return OD_ENOMEM;
    in->used = ++tick;
    return od_db_exec(db, a, &in->st, params, out);
}

void
od_vendor_stmt_reset(void)
{
    for (int i = 0; i < count; i++)
        forget(&table[i]);
    count = 0;
}
