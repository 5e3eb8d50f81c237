/* arena.h: per-request memory arena (nginx pool / PostgreSQL memory context).
 * Handlers allocate from the request's arena and never free; the arena is reset at
 * the top of each accept loop turn, which first runs the cleanup callbacks that
 * release what the arena does not own (PGresult, json-c objects, malloc'd buffers). */
#ifndef OD_ARENA_H
#define OD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct od_arena od_arena;
typedef void (*od_cleanup_fn)(void *arg);

/* Creates an arena that refuses to grow past cap bytes of blocks (0 = 64 MiB).
 * Returns NULL on allocation failure; caller frees with od_arena_destroy. */
od_arena *od_arena_create(size_t cap);

/* Runs the cleanups (newest first), then releases every block. Accepts NULL. */
void od_arena_destroy(od_arena *a);

/* Runs the cleanups (newest first) and forgets every allocation; keeps the first
 * block for the next request, so a steady state does no malloc at all. */
void od_arena_reset(od_arena *a);

/* Returns n bytes aligned for any type, arena-owned; NULL when the cap is reached. */
void *od_arena_alloc(od_arena *a, size_t n);

/* Returns an arena-owned copy of s (NULL gives NULL). */
char *od_arena_strdup(od_arena *a, const char *s);

/* Returns an arena-owned, NUL-terminated copy of the first n bytes of s. */
char *od_arena_strndup(od_arena *a, const char *s, size_t n);

/* Returns an arena-owned formatted string, or NULL. */
char *od_arena_printf(od_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* As od_arena_printf, with the arguments in ap (which it consumes). */
char *od_arena_vprintf(od_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Registers fn(arg) to run at the next reset or destroy. The arena takes
 * responsibility for arg from here on. Returns 0, or -1 when out of memory, in
 * which case fn(arg) has already been run so that nothing leaks. */
int od_arena_on_reset(od_arena *a, od_cleanup_fn fn, void *arg);

/* Bytes handed out since the last reset (for diagnostics and tests). */
size_t od_arena_used(const od_arena *a);

#endif
