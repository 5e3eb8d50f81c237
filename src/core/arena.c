/* arena.c: chunked bump allocator with a hard cap and reset callbacks. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OD_ARENA_BLOCK   (64 * 1024)
#define OD_ARENA_DEFCAP  ((size_t)64 * 1024 * 1024)
#define OD_ALIGN         (_Alignof(max_align_t))

typedef struct od_block {
    struct od_block *next;  /* older block, or NULL */
    size_t size;            /* usable bytes after the header */
    size_t used;            /* bytes handed out from this block */
    max_align_t data[];     /* the memory itself */
} od_block;

typedef struct od_cleanup {
    struct od_cleanup *next;  /* older cleanup: the list runs newest first */
    od_cleanup_fn fn;
    void *arg;
} od_cleanup;

struct od_arena {
    od_block *head;        /* newest block; the oldest is the kept first block */
    od_cleanup *cleanups;  /* cleanups registered since the last reset */
    size_t cap;            /* hard limit on the sum of block sizes */
    size_t total;          /* sum of block sizes now held */
    size_t used;           /* bytes handed out since the last reset */
};

static od_block *
block_new(od_arena *a, size_t size)
{
    od_block *b;

    if (size > a->cap || a->total > a->cap - size)
        return NULL;
    b = malloc(sizeof(*b) + size);
    if (b == NULL)
        return NULL;
    b->next = a->head;
    b->size = size;
    b->used = 0;
    a->head = b;
    a->total += size;
    return b;
}

od_arena *
od_arena_create(size_t cap)
{
    od_arena *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->cap = cap ? cap : OD_ARENA_DEFCAP;
    if (block_new(a, OD_ARENA_BLOCK < a->cap ? OD_ARENA_BLOCK : a->cap) == NULL) {
        free(a);
        return NULL;
    }
    return a;
}

static void
run_cleanups(od_arena *a)
{
    while (a->cleanups != NULL) {
        od_cleanup *c = a->cleanups;

        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

void
od_arena_reset(od_arena *a)
{
    run_cleanups(a);
    while (a->head->next != NULL) {
        od_block *b = a->head;

        a->head = b->next;
        a->total -= b->size;
        free(b);
    }
    a->head->used = 0;
    a->used = 0;
}

void
od_arena_destroy(od_arena *a)
{
    if (a == NULL)
        return;
    run_cleanups(a);
    while (a->head != NULL) {
        od_block *b = a->head;

        a->head = b->next;
        free(b);
    }
    free(a);
}

void *
od_arena_alloc(od_arena *a, size_t n)
{
    od_block *b = a->head;
    size_t need;
    void *p;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - OD_ALIGN)
        return NULL;
    need = (n + OD_ALIGN - 1) & ~(OD_ALIGN - 1);
    if (b->size - b->used < need) {
        /* A big request gets a block of its own; small ones share fresh blocks. */
        b = block_new(a, need > OD_ARENA_BLOCK ? need : OD_ARENA_BLOCK);
        if (b == NULL)
            return NULL;
    }
    p = (char *)b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

char *
od_arena_strndup(od_arena *a, const char *s, size_t n)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = od_arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
od_arena_strdup(od_arena *a, const char *s)
{
    return s == NULL ? NULL : od_arena_strndup(a, s, strlen(s));
}

char *
od_arena_vprintf(od_arena *a, const char *fmt, va_list ap)
{
    va_list again;
    int n;
    char *d;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || (d = od_arena_alloc(a, (size_t)n + 1)) == NULL) {
        va_end(again);
        return NULL;
    }
    vsnprintf(d, (size_t)n + 1, fmt, again);
    va_end(again);
    return d;
}

char *
od_arena_printf(od_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *d;

    va_start(ap, fmt);
    d = od_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

int
od_arena_on_reset(od_arena *a, od_cleanup_fn fn, void *arg)
{
    od_cleanup *c = od_arena_alloc(a, sizeof(*c));

    if (c == NULL) {
        fn(arg);
        return -1;
    }
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

size_t
od_arena_used(const od_arena *a)
{
    return a->used;
}
