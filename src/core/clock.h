/* clock.h: monotonic time in milliseconds, for timeouts and latencies. */
#ifndef OD_CLOCK_H
#define OD_CLOCK_H

#include <time.h>

/* Returns CLOCK_MONOTONIC in milliseconds. */
static inline long
od_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Returns the milliseconds elapsed since start (a CLOCK_MONOTONIC reading). */
static inline double
od_elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

#endif
