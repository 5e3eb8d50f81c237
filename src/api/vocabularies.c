/* vocabularies.c: a small table of vocabularies, OD_VOCAB_SLOTS (vendor, kinds)
 * pairs, the least recently used replaced when full. Each entry owns an arena that
 * holds its words: it lives as long as the process, or until another version
 * replaces it, and then until the end of the request that replaced it. */
#include "api/vocabularies.h"

#include <stdlib.h>
#include <string.h>

#include "db/vocabulary.h"

#define OD_VOCAB_SLOTS 64

typedef struct entry {
    char vendor[37];        /* the vendor's id, canonical text */
    unsigned kinds;
    char *version;          /* owned; NULL: a free slot */
    unsigned long epoch;    /* the connection it was read on (od_db_epoch) */
    od_arena *arena;        /* owned: holds words */
    const od_vocab *words;
    unsigned long used;     /* use counter value at the last get */
} entry;

static entry entries[OD_VOCAB_SLOTS];
static unsigned long uses;

static void
destroy_arena(void *arg)
{
    od_arena_destroy(arg);
}

static void
entry_clear(entry *e)
{
    free(e->version);
    if (e->arena != NULL)
        od_arena_destroy(e->arena);
    memset(e, 0, sizeof(*e));
}

/* The slot of (vendor_id, kinds): its own when present, else a free or the least
 * recently used one. */
static entry *
slot_for(const char *vendor_id, unsigned kinds)
{
    entry *lru = &entries[0];

    for (size_t i = 0; i < OD_VOCAB_SLOTS; i++) {
        entry *e = &entries[i];

        if (e->version != NULL && e->kinds == kinds && strcmp(e->vendor, vendor_id) == 0)
            return e;
        if (e->version == NULL || e->used < lru->used)
            lru = e;
    }
    return lru;
}

od_rc
od_vocabularies_get(od_db *db, od_arena *a, const char *vendor_id, unsigned kinds,
                    const char *version, const od_vocab **out, PGresult **res)
{
    entry *e;
    od_arena *keep;
    od_vocab *v;
    const char *read_at;
    od_rc rc;

    *out = NULL;
    if (version == NULL || strlen(vendor_id) >= sizeof(e->vendor)) {
        /* No version to compare with: read for this request only. */
        rc = od_vocabulary_load(db, a, a, kinds, &v, &read_at, res);
        *out = v;
        return rc;
    }
    e = slot_for(vendor_id, kinds);
    /* A copy read before the connection was made again is not trusted: the
     * database may have been restored to an earlier version number. */
    if (e->version != NULL && e->kinds == kinds && strcmp(e->vendor, vendor_id) == 0 &&
        strcmp(e->version, version) == 0 && e->epoch == od_db_epoch(db)) {
        e->used = ++uses;
        *out = e->words;
        return OD_OK;
    }
    if ((keep = od_arena_create(0)) == NULL)
        return OD_ENOMEM;
    rc = od_vocabulary_load(db, a, keep, kinds, &v, &read_at, res);
    if (rc != OD_OK) {
        od_arena_destroy(keep);
        return rc;
    }
    if (e->arena != NULL) {
        /* Replaced: what this request borrowed from it stays valid until its end
         * (out of memory, the arena is destroyed now). */
        od_arena *old = e->arena;

        e->arena = NULL;
        (void)od_arena_on_reset(a, destroy_arena, old);
    }
    entry_clear(e);
    /* Kept under the version read with the words: a change since the caller's
     * version is taken as it is now, and the next request names it. */
    if (read_at != NULL && (e->version = strdup(read_at)) != NULL) {
        memcpy(e->vendor, vendor_id, strlen(vendor_id) + 1);
        e->kinds = kinds;
        e->epoch = od_db_epoch(db);
        e->arena = keep;
        e->words = v;
        e->used = ++uses;
    } else if (od_arena_on_reset(a, destroy_arena, keep) != 0) {
        /* Nothing to key it by (no word at all) or out of memory: this request's
         * (on failure the arena has already destroyed it). */
        return OD_ENOMEM;
    }
    *out = v;
    return OD_OK;
}
