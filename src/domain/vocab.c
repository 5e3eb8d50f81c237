/* vocab.c: an open-addressing hash of (kind, key) -> canonical, in the arena. */
#include "domain/vocab.h"

#include <stdint.h>
#include <string.h>

#define OD_VOCAB_KEY_MAX 256

typedef struct entry {
    const char *key;        /* od_vocab_key form; NULL: empty slot */
    const char *canonical;
    unsigned char kind;
    bool vendor;            /* added from a vendor's own row */
} entry;

struct od_vocab {
    od_arena *arena;        /* borrowed: where keys and values live */
    entry *slots;
    size_t cap;             /* a power of two, at least twice the entries */
    size_t used;
};

bool
od_vocab_key(const char *word, char *out, size_t outsz)
{
    size_t n = 0;
    bool space = false;

    if (word == NULL || outsz == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
        unsigned char c = *p;

        if (c == '_' || c == '-' || c == ' ' || c == '\t') {
            space = n > 0;
            continue;
        }
        if (space) {
            if (n + 1 >= outsz)
                return false;
            out[n++] = ' ';
            space = false;
        }
        if (n + 1 >= outsz)
            return false;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    return n > 0;
}

static uint64_t
hash(od_vocab_kind kind, const char *key)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static entry *
find(const od_vocab *v, od_vocab_kind kind, const char *key)
{
    size_t i = (size_t)hash(kind, key) & (v->cap - 1);

    for (;;) {
        entry *e = &v->slots[i];

        if (e->key == NULL || (e->kind == kind && strcmp(e->key, key) == 0))
            return e;
        i = (i + 1) & (v->cap - 1);
    }
}

static bool
grow(od_vocab *v)
{
    entry *old = v->slots;
    size_t oldcap = v->cap;
    entry *slots = od_arena_alloc(v->arena, sizeof(*slots) * oldcap * 2);

    if (slots == NULL)
        return false;
    memset(slots, 0, sizeof(*slots) * oldcap * 2);
    v->slots = slots;
    v->cap = oldcap * 2;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key != NULL)
            *find(v, (od_vocab_kind)old[i].kind, old[i].key) = old[i];
    }
    return true;
}

od_vocab *
od_vocab_create(od_arena *a, size_t n)
{
    od_vocab *v = od_arena_alloc(a, sizeof(*v));
    size_t cap = 64;

    if (v == NULL)
        return NULL;
    while (cap < n * 2)
        cap *= 2;
    v->arena = a;
    v->cap = cap;
    v->used = 0;
    v->slots = od_arena_alloc(a, sizeof(*v->slots) * cap);
    if (v->slots == NULL)
        return NULL;
    memset(v->slots, 0, sizeof(*v->slots) * cap);
    return v;
}

od_rc
od_vocab_add(od_vocab *v, od_vocab_kind kind, const char *word, const char *canonical,
             bool vendor)
{
    char key[OD_VOCAB_KEY_MAX];
    entry *e;

    if (!od_vocab_key(word, key, sizeof(key)) || canonical == NULL)
        return OD_EINVAL;
    if ((v->used + 1) * 2 > v->cap && !grow(v))
        return OD_ENOMEM;
    e = find(v, kind, key);
    if (e->key != NULL) {
        if (e->vendor && !vendor)
            return OD_OK;
        e->canonical = od_arena_strdup(v->arena, canonical);
        e->vendor = vendor;
        return e->canonical ? OD_OK : OD_ENOMEM;
    }
    e->key = od_arena_strdup(v->arena, key);
    e->canonical = od_arena_strdup(v->arena, canonical);
    if (e->key == NULL || e->canonical == NULL) {
        e->key = NULL;
        return OD_ENOMEM;
    }
    e->kind = (unsigned char)kind;
    e->vendor = vendor;
    v->used++;
    return OD_OK;
}

const char *
od_vocab_lookup(const od_vocab *v, od_vocab_kind kind, const char *word)
{
    char key[OD_VOCAB_KEY_MAX];
    const entry *e;

    if (v == NULL || !od_vocab_key(word, key, sizeof(key)))
        return NULL;
    e = find(v, kind, key);
    return e->key != NULL ? e->canonical : NULL;
}
