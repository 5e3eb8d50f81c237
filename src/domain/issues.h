/* issues.h: where the pure validators report problems: one call per bad field, with
 * the RFC 6901 JSON pointer of the field ("#/rules/2/op") and a short detail. The
 * handler turns them into the errors[] of a 422 problem. */
#ifndef OD_ISSUES_H
#define OD_ISSUES_H

#include "core/arena.h"

/* Where validation problems go: add(arg, pointer, detail) once per bad field. */
typedef struct od_issues {
    void (*add)(void *arg, const char *pointer, const char *detail);
    void *arg;
    unsigned count;     /* problems reported so far */
} od_issues;

/* Reports one problem at pointer (borrowed for the call) and counts it. */
void od_issues_report(od_issues *is, const char *pointer, const char *detail);

/* Reports one problem whose pointer is formatted from fmt (arena-owned); when the
 * arena is full the problem is still counted and reported at "#". */
void od_issues_reportf(od_issues *is, od_arena *a, const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
