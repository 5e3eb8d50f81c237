/* search_stats.c: a small table of the statistics od_search_stats_get returns,
 * OD_SEARCH_STATS_SLOTS entries (vendor, table), the oldest replaced when full. An
 * entry is about the size of its lexeme list: a few kilobytes. */
#include "db/search_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define OD_SEARCH_STATS_SLOTS 256

typedef struct entry {
    od_search_table table;
    char vendor[37];
    long read_ms;              /* od_now_ms() when read; 0: free slot */
    char *lexemes, *freqs, *total;  /* owned (malloc) */
} entry;

static entry entries[OD_SEARCH_STATS_SLOTS];

static od_stmt st_read = OD_READ_STMT("search_lexemes",
    "SELECT lexemes::text, freqs::text, total_rows::text FROM od_search_lexemes($1, $2::real)",
    2);

static void
entry_clear(entry *e)
{
    free(e->lexemes);
    free(e->freqs);
    free(e->total);
    memset(e, 0, sizeof(*e));
}

/* The slot for (t, vendor_id): its own when present, else the free or oldest. */
static entry *
slot_for(od_search_table t, const char *vendor_id, bool *found)
{
    entry *oldest = &entries[0];

    for (int i = 0; i < OD_SEARCH_STATS_SLOTS; i++) {
        entry *e = &entries[i];

        if (e->read_ms != 0 && e->table == t && strcmp(e->vendor, vendor_id) == 0) {
            *found = true;
            return e;
        }
        if (e->read_ms < oldest->read_ms)
            oldest = e;
    }
    *found = false;
    return oldest;
}

od_rc
od_search_stats_get(od_db *db, od_arena *a, od_search_table t, const char *vendor_id,
                    od_search_stats *out)
{
    static const char *const names[] = {
        [OD_SEARCH_PRODUCTS] = "products", [OD_SEARCH_CUSTOMERS] = "customers",
        [OD_SEARCH_PRODUCT_TAGS] = "product_tags",
    };
    const char *params[] = { names[t], OD_SEARCH_STATS_MIN };
    long now = od_now_ms();
    bool found;
    entry *e;
    PGresult *res;
    bool one;
    od_rc rc;

    if (strlen(vendor_id) >= sizeof(e->vendor))
        return OD_EINVAL;
    e = slot_for(t, vendor_id, &found);
    if (!found || now - e->read_ms > OD_SEARCH_STATS_TTL_S * 1000L) {
        if ((rc = od_db_exec(db, a, &st_read, params, &res)) != OD_OK)
            return rc;
        one = PQntuples(res) == 1;  /* the function returns one row */
        entry_clear(e);
        e->table = t;
        snprintf(e->vendor, sizeof(e->vendor), "%s", vendor_id);
        e->lexemes = strdup(one ? PQgetvalue(res, 0, 0) : "{}");
        e->freqs = strdup(one ? PQgetvalue(res, 0, 1) : "{}");
        e->total = strdup(one ? PQgetvalue(res, 0, 2) : "0");
        if (e->lexemes == NULL || e->freqs == NULL || e->total == NULL) {
            entry_clear(e);
            return OD_ENOMEM;
        }
        e->read_ms = now > 0 ? now : 1;
    }
    out->lexemes = e->lexemes;
    out->freqs = e->freqs;
    out->total = e->total;
    return OD_OK;
}

void
od_search_stats_reset(void)
{
    for (int i = 0; i < OD_SEARCH_STATS_SLOTS; i++)
        entry_clear(&entries[i]);
}
