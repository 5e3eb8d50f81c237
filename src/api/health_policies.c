/* health_policies.c: a small table of parsed policy sets, OD_POLICY_SLOTS vendors, the
 * least recently used replaced when full. An entry is the vendor's policies as
 * json-c trees (a few kilobytes), allocated with malloc: it lives as long as the
 * process, not a request, so no arena owns it. */
#include "api/health_policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "db/health_profiles.h"

#define OD_POLICY_SLOTS 64
#define GOALS_PER_POLICY 16   /* goal codes of one policy's applies_to_goals a profile
                               * may name (the seeded ones name one) */

typedef struct entry {
    char vendor[37];           /* the vendor's id, canonical text */
    char *stamp;               /* owned; NULL: a free slot */
    od_health_policy *rows;    /* owned, with each row's condition and policy */
    size_t n;                  /* rows in use */
    const char **goals;        /* owned array; the strings are the policies' */
    size_t n_goals;            /* goals in use */
    unsigned long used;        /* use counter value at the last get */
} entry;

static entry entries[OD_POLICY_SLOTS];
static unsigned long uses;

/* Frees what e owns and leaves it a free slot. */
static void
entry_clear(entry *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free((char *)e->rows[i].condition);
        json_object_put(e->rows[i].policy);
    }
    free(e->rows);
    free(e->goals);
    free(e->stamp);
    memset(e, 0, sizeof(*e));
}

/* The slot for vendor_id: its own when present, else a free or the least recently
 * used one. */
static entry *
slot_for(const char *vendor_id)
{
    entry *lru = &entries[0];

    for (size_t i = 0; i < OD_POLICY_SLOTS; i++) {
        entry *e = &entries[i];

        if (e->stamp != NULL && strcmp(e->vendor, vendor_id) == 0)
            return e;
        if (e->stamp == NULL || e->used < lru->used)
            lru = e;
    }
    return lru;
}

/* Parses the rows of res into e (cleared first), kept under their stamp. Returns
 * OD_OK or OD_ENOMEM; e is left free on failure. */
static od_rc
fill(entry *e, const char *vendor_id, const PGresult *res)
{
    int n = PQntuples(res);

    entry_clear(e);
    e->rows = calloc((size_t)n + 1, sizeof(*e->rows));
    e->goals = calloc((size_t)n * GOALS_PER_POLICY + 1, sizeof(*e->goals));
    /* Every row carries the stamp; there is always one (db/health_profiles.h). */
    e->stamp = strdup(n > 0 ? PQgetvalue(res, 0, 4) : "");
    if (e->rows == NULL || e->goals == NULL || e->stamp == NULL) {
        entry_clear(e);
        return OD_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        const char *text = PQgetvalue(res, i, 2), *why;
        json_object *policy = NULL, *goals;
        char *condition;
        size_t off;

        if (PQgetisnull(res, i, 0))
            continue;  /* no rule in force: the stamp's row only */
        if (od_json_parse(text, strlen(text), &policy, &off, &why) != OD_OK || policy == NULL)
            continue;  /* the column is jsonb: cannot happen */
        if ((condition = strdup(PQgetvalue(res, i, 0))) == NULL) {
            json_object_put(policy);
            entry_clear(e);
            return OD_ENOMEM;
        }
        e->rows[e->n++] = (od_health_policy){
            .condition = condition,
            .version = (int)strtol(PQgetvalue(res, i, 1), NULL, 10),
            .vendor = strcmp(PQgetvalue(res, i, 3), "vendor") == 0,
            .policy = policy,
        };
        goals = od_json_member(policy, "applies_to_goals");
        for (size_t g = 0; json_object_is_type(goals, json_type_array) &&
                           g < json_object_array_length(goals) && g < GOALS_PER_POLICY; g++) {
            const char *code = od_json_string(json_object_array_get_idx(goals, g));

            if (code != NULL)
                e->goals[e->n_goals++] = code;
        }
    }
    snprintf(e->vendor, sizeof(e->vendor), "%s", vendor_id);
    return OD_OK;
}

od_rc
od_health_policies_get(od_db *db, od_arena *a, const char *vendor_id, const char *stamp,
                       od_policy_set *out, PGresult **res)
{
    entry *e = slot_for(vendor_id);
    od_rc rc;

    memset(out, 0, sizeof(*out));
    if (e->stamp == NULL || strcmp(e->vendor, vendor_id) != 0 || stamp == NULL ||
        strcmp(e->stamp, stamp) != 0) {
        /* Kept under the stamp read with the rows: a rule that changed since the
         * caller's load is taken as it is now, and the next load names it. */
        if ((rc = od_health_policies(db, a, vendor_id, res)) != OD_OK)
            return rc;
        if ((rc = fill(e, vendor_id, *res)) != OD_OK) {
            *res = NULL;  /* not a database error */
            return rc;
        }
    }
    e->used = ++uses;
    *out = (od_policy_set){
        .rows = e->rows, .n = e->n, .goals = e->goals, .n_goals = e->n_goals,
        .stamp = e->stamp,
    };
    return OD_OK;
}
