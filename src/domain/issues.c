/* issues.c: reporting validation problems with their JSON pointers. */
#include "domain/issues.h"

#include <stdarg.h>

void
od_issues_report(od_issues *is, const char *pointer, const char *detail)
{
    is->count++;
    is->add(is->arg, pointer, detail ? detail : "is invalid");
}

void
od_issues_reportf(od_issues *is, od_arena *a, const char *detail, const char *fmt, ...)
{
    va_list ap;
    char *ptr;

    va_start(ap, fmt);
    ptr = od_arena_vprintf(a, fmt, ap);
    va_end(ap);
    od_issues_report(is, ptr ? ptr : "#", detail);
}
