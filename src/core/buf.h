/* buf.h: growable byte buffer with a hard size cap (curl's dynbuf). A buffer that
 * would pass its cap, or fails to grow, frees itself and reports why, so a hostile
 * body can never eat the process. The contents are always NUL-terminated. */
#ifndef OD_BUF_H
#define OD_BUF_H

#include <stddef.h>

#include "core/status.h"

typedef struct od_buf {
    char *data;    /* malloc'd, NUL-terminated; NULL until the first append */
    size_t len;    /* bytes in use, without the terminator */
    size_t alloc;  /* bytes allocated */
    size_t cap;    /* hard limit on len */
    od_rc failed;  /* OD_OK, or the error that freed it: later appends refuse too */
} od_buf;

/* Prepares an empty buffer that may hold at most cap bytes. */
void od_buf_init(od_buf *b, size_t cap);

/* Appends n bytes. Returns OD_OK, or OD_ETOOBIG / OD_ENOMEM after freeing b;
 * once failed, every later append returns the same error (so a document is never
 * half-built), until od_buf_free. */
od_rc od_buf_append(od_buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string; same contract as od_buf_append. */
od_rc od_buf_puts(od_buf *b, const char *s);

/* Appends formatted text; same contract as od_buf_append. */
od_rc od_buf_printf(od_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends s as the body of a JSON string (no quotes), escaping as RFC 8259 asks. */
od_rc od_buf_json_escape(od_buf *b, const char *s);

/* Returns the contents ("" when empty); borrowed, valid until the next append. */
const char *od_buf_str(const od_buf *b);

/* Releases the memory and clears a failure; the buffer is empty and reusable
 * with the same cap. */
void od_buf_free(od_buf *b);

#endif
