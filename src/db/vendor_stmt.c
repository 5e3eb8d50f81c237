/* vendor_stmt.c: the kept instances of vendor statements, in a table filled up to
 * ODYSSEY_VENDOR_PLANS and never evicted: a DEALLOCATE would cost the request a
 * round trip inside its transaction, and a table that churns plans generically
 * (2-12 ms each) on every miss is slower than planning with the values. A worker
 * is recycled after ODYSSEY_MAX_REQUESTS, which renews its table. */
#include "db/vendor_stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MARKER "{v:"

typedef struct instance {
    const od_vstmt *vs;      /* borrowed (static) */
    const od_db *db;         /* compared, never followed: the connection it is for */
    char hex[33];            /* the vendor, as in its partition's name */
    char name[24];           /* "vs_<serial>" */
    od_stmt st;              /* owns st.sql (malloc); st.name points at name */
} instance;

static instance *table;     /* malloc'd, cap entries */
static int count, cap = -1;  /* cap -1: not sized yet */
static int optional_count;   /* instances of optional statements */
static unsigned long serial;

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

/* The text of sql for the vendor hex into b: {v:T} becomes T_v<hex>_scoped, the
 * view of migration 023 (T made of [a-z_]). Returns OD_OK, OD_EINVAL for a bad
 * marker, or the buffer's failure. */
static od_rc
instance_sql(od_buf *b, const char *sql, const char *hex)
{
    const char *p = sql, *m;

    while ((m = strstr(p, MARKER)) != NULL) {
        const char *t = m + strlen(MARKER), *end = t;

        while ((*end >= 'a' && *end <= 'z') || *end == '_')
            end++;
        if (*end != '}' || end == t)
            return OD_EINVAL;
        od_buf_append(b, p, (size_t)(m - p));
        od_buf_append(b, t, (size_t)(end - t));
        od_buf_printf(b, "_v%s_scoped", hex);
        p = end + 1;
    }
    od_buf_puts(b, p);
    return b->failed;
}

/* The kept instance of vs for (db, hex), made when the table has room; NULL when
 * it has none (or memory ran out: the caller then runs the text one-shot). */
static instance *
lookup(const od_db *db, const od_vstmt *vs, const char *hex)
{
    instance *in;
    od_buf b;

    for (int i = 0; i < count; i++) {
        in = &table[i];
        if (in->vs == vs && in->db == db && strcmp(in->hex, hex) == 0)
            return in;
    }
    if (cap < 0) {
        cap = od_db_config(db)->vendor_plans;
        table = cap > 0 ? calloc((size_t)cap, sizeof(*table)) : NULL;
        if (table == NULL)
            cap = 0;
    }
    if (count >= cap)
        return NULL;
    /* An optional statement takes no more than half of the table: the reads every
     * vendor makes (get by id, the page, the searches) keep room. */
    if (vs->optional && optional_count >= cap / 2)
        return NULL;
    od_buf_init(&b, 64 * 1024);
    if (instance_sql(&b, vs->sql, hex) != OD_OK) {
        od_buf_free(&b);
        return NULL;
    }
    in = &table[count++];
    optional_count += vs->optional;
    in->vs = vs;
    in->db = db;
    memcpy(in->hex, hex, sizeof(in->hex));
    snprintf(in->name, sizeof(in->name), "vs_%lu", ++serial);
    in->st = (od_stmt){ .name = in->name, .sql = b.data, .nparams = vs->nparams,
                        .idempotent = vs->idempotent, .generic = true, .read_only = true };
    return in;  /* b.data is now in->st.sql */
}

od_rc
od_vendor_stmt_exec(od_db *db, od_arena *a, const od_vstmt *vs, const char *vendor_id,
                    const char *const *params, PGresult **out)
{
    char hex[33];
    instance *in;
    od_stmt once = { .name = NULL, .nparams = vs->nparams, .idempotent = vs->idempotent,
                     .read_only = true };
    od_buf b;
    od_rc rc;

    *out = NULL;
    if (!uuid_hex(vendor_id, hex))
        return OD_EINVAL;
    if ((in = lookup(db, vs, hex)) != NULL)
        return od_db_exec(db, a, &in->st, params, out);
    od_buf_init(&b, 64 * 1024);
    rc = instance_sql(&b, vs->sql, hex);
    if (rc == OD_OK && (once.sql = od_arena_strndup(a, b.data, b.len)) == NULL)
        rc = OD_ENOMEM;
    od_buf_free(&b);
    return rc == OD_OK ? od_db_exec(db, a, &once, params, out) : rc;
}

void
od_vendor_stmt_reset(void)
{
    for (int i = 0; i < count; i++)
        free((char *)table[i].st.sql);
    free(table);
    table = NULL;
    count = 0;
    optional_count = 0;
    cap = -1;
}
