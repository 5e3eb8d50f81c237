/* search_stats.c: a small table of the statistics od_search_stats_get returns,
 * OD_SEARCH_STATS_SLOTS entries (vendor, table), the oldest replaced when full. An
 * entry holds its lexemes and their frequencies one by one (a few hundred for a
 * catalog), from which each search takes the ones its words can use. */
#include "db/search_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

#define OD_SEARCH_STATS_SLOTS 256

typedef struct entry {
    od_search_table table;
    char vendor[37];
    long read_ms;              /* od_now_ms() when read; 0: free slot */
    int n;                     /* lexemes */
    char **lexemes, **freqs;   /* owned (malloc), n each; freqs as PostgreSQL wrote them */
    char *total;               /* owned */
} entry;

static entry entries[OD_SEARCH_STATS_SLOTS];

/* One row per lexeme, in the function's order, each with the total; a single row
 * with a NULL lexeme when there is none. */
static od_stmt st_read = OD_READ_STMT("search_lexemes",
    "SELECT x.l, x.f::text, s.total_rows::text FROM od_search_lexemes($1, $2::real) s "
    "LEFT JOIN LATERAL unnest(s.lexemes, s.freqs) AS x(l, f) ON true", 2);

static void
entry_clear(entry *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->lexemes[i]);
        free(e->freqs[i]);
    }
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

/* Fills e from the function's rows; false when memory ran out (the caller then
 * clears e, which frees what was made). */
static bool
entry_fill(entry *e, const PGresult *res)
{
    int rows = PQntuples(res);

    e->total = strdup(rows > 0 ? PQgetvalue(res, 0, 2) : "0");
    e->lexemes = calloc((size_t)rows + 1, sizeof(char *));
    e->freqs = calloc((size_t)rows + 1, sizeof(char *));
    if (e->total == NULL || e->lexemes == NULL || e->freqs == NULL)
        return false;
    for (int i = 0; i < rows; i++) {
        if (PQgetisnull(res, i, 0))
            continue;
        e->lexemes[e->n] = strdup(PQgetvalue(res, i, 0));
        e->freqs[e->n] = strdup(PQgetvalue(res, i, 1));
        if (e->lexemes[e->n] == NULL || e->freqs[e->n] == NULL) {
            e->n++;  /* entry_clear frees what was made */
            return false;
        }
        e->n++;
    }
    return true;
}

/* True when lexeme begins with the first two letters (ASCII, any case) of one of
 * the words of text (separated by spaces); false when text is NULL. */
static bool
begins_as_one_of(const char *lexeme, const char *text)
{
    for (const char *w = text; w != NULL && *w != '\0';) {
        size_t len = strcspn(w, " "), k = len < 2 ? len : 2, i;

        for (i = 0; i < k; i++) {
            char c = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') : w[i];

            if (lexeme[i] != c)
                break;
        }
        if (len > 0 && i == k)
            return true;
        w += len + (w[len] == ' ');
    }
    return false;
}

od_rc
od_search_stats_get(od_db *db, od_arena *a, od_search_table t, const char *vendor_id,
                    const char *words, const char *prefix, od_search_stats *out)
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
    od_buf lex, freq;
    size_t lex_cap = 3, freq_cap = 3;
    od_rc rc;

    if (strlen(vendor_id) >= sizeof(e->vendor))
        return OD_EINVAL;
    e = slot_for(t, vendor_id, &found);
    if (!found || now - e->read_ms > OD_SEARCH_STATS_TTL_S * 1000L) {
        if ((rc = od_db_exec(db, a, &st_read, params, &res)) != OD_OK)
            return rc;
        entry_clear(e);
        if (!entry_fill(e, res)) {
            entry_clear(e);
            return OD_ENOMEM;
        }
        e->table = t;
        snprintf(e->vendor, sizeof(e->vendor), "%s", vendor_id);
        e->read_ms = now > 0 ? now : 1;
    }
    /* The literals, every lexeme quoted (its only specials: the quote, the backslash).
     * The caps hold every entry, each lexeme escaped whole. */
    for (int i = 0; i < e->n; i++) {
        lex_cap += 2 * strlen(e->lexemes[i]) + 3;
        freq_cap += strlen(e->freqs[i]) + 1;
    }
    od_buf_init(&lex, lex_cap);
    od_buf_init(&freq, freq_cap);
    od_buf_puts(&lex, "{");
    od_buf_puts(&freq, "{");
    for (int i = 0, kept = 0; i < e->n; i++) {
        if ((words != NULL || prefix != NULL) && !begins_as_one_of(e->lexemes[i], words) &&
            !begins_as_one_of(e->lexemes[i], prefix))
            continue;
        od_buf_puts(&lex, kept ? ",\"" : "\"");
        for (const char *c = e->lexemes[i]; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\')
                od_buf_puts(&lex, "\\");
            od_buf_append(&lex, c, 1);
        }
        od_buf_puts(&lex, "\"");
        od_buf_printf(&freq, "%s%s", kept ? "," : "", e->freqs[i]);
        kept++;
    }
    od_buf_puts(&lex, "}");
    od_buf_puts(&freq, "}");
    out->lexemes = lex.failed == OD_OK ? od_arena_strndup(a, lex.data, lex.len) : NULL;
    out->freqs = freq.failed == OD_OK ? od_arena_strndup(a, freq.data, freq.len) : NULL;
    out->total = od_arena_strdup(a, e->total);
    od_buf_free(&lex);
    od_buf_free(&freq);
    return out->lexemes != NULL && out->freqs != NULL && out->total != NULL ? OD_OK : OD_ENOMEM;
}

void
od_search_stats_reset(void)
{
    for (int i = 0; i < OD_SEARCH_STATS_SLOTS; i++)
        entry_clear(&entries[i]);
}
