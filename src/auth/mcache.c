/* mcache.c: a direct-mapped cache of membership sets, one malloc'd copy per slot. */
#include "auth/mcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;             /* "user\ntarget"; NULL when empty */
    long stored_ms;
    od_membership *items;  /* n links, then the target if any; strings malloc'd */
    size_t n;
    bool platform_admin;
    bool has_target;
} entry;

struct od_mcache {
    entry *slots;
    size_t nslots;
};

static void
entry_clear(entry *e)
{
    size_t total = e->n + (e->has_target ? 1 : 0);

    for (size_t i = 0; e->items != NULL && i < total; i++) {
        free((char *)e->items[i].vendor_id);
        free((char *)e->items[i].vendor_name);
    }
    free(e->items);
    free(e->key);
    memset(e, 0, sizeof(*e));
}

od_mcache *
od_mcache_create(size_t slots)
{
    od_mcache *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->slots = calloc(slots, sizeof(*c->slots));
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->nslots = slots;
    return c;
}

void
od_mcache_destroy(od_mcache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nslots; i++)
        entry_clear(&c->slots[i]);
    free(c->slots);
    free(c);
}

/* Builds "user\ntarget" into buf; returns false when it does not fit. */
static bool
make_key(const char *user, const char *target, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s\n%s", user, target ? target : "");

    return n > 0 && (size_t)n < len;
}

static entry *
slot_of(od_mcache *c, const char *key)
{
    unsigned long h = 5381;

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = h * 33 + *p;
    return &c->slots[h % c->nslots];
}

bool
od_mcache_get(od_mcache *c, const char *user, const char *target, long now_ms, od_arena *a,
              od_membership_set *out)
{
    char key[512];
    entry *e;
    od_membership *items;
    size_t total;

    if (c == NULL || !make_key(user, target, key, sizeof(key)))
        return false;
    e = slot_of(c, key);
    if (e->key == NULL || strcmp(e->key, key) != 0 || now_ms - e->stored_ms >= OD_MCACHE_TTL_MS ||
        now_ms < e->stored_ms)
        return false;
    total = e->n + (e->has_target ? 1 : 0);
    items = od_arena_alloc(a, sizeof(*items) * (total ? total : 1));
    if (items == NULL)
        return false;
    for (size_t i = 0; i < total; i++) {
        items[i] = e->items[i];
        items[i].vendor_id = od_arena_strdup(a, e->items[i].vendor_id);
        items[i].vendor_name = od_arena_strdup(a, e->items[i].vendor_name);
    }
    *out = (od_membership_set){ .items = items, .n = e->n, .platform_admin = e->platform_admin,
                                .target = e->has_target ? &items[e->n] : NULL };
    return true;
}

static char *
dup_or_null(const char *s, bool *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *failed = true;
    return d;
}

void
od_mcache_put(od_mcache *c, const char *user, const char *target, long now_ms,
              const od_membership_set *ms)
{
    char key[512];
    entry *e;
    size_t total = ms->n + (ms->target ? 1 : 0);
    bool failed = false;

    if (c == NULL || !make_key(user, target, key, sizeof(key)))
        return;
    e = slot_of(c, key);
    entry_clear(e);
    e->items = calloc(total ? total : 1, sizeof(*e->items));
    e->key = strdup(key);
    if (e->items == NULL || e->key == NULL) {
        entry_clear(e);
        return;
    }
    e->n = ms->n;
    e->has_target = ms->target != NULL;
    e->platform_admin = ms->platform_admin;
    e->stored_ms = now_ms;
    for (size_t i = 0; i < total; i++) {
        const od_membership *m = i < ms->n ? &ms->items[i] : ms->target;

        e->items[i] = *m;
        e->items[i].vendor_id = dup_or_null(m->vendor_id, &failed);
        e->items[i].vendor_name = dup_or_null(m->vendor_name, &failed);
    }
    if (failed)
        entry_clear(e);
}
