/* job.c: the daemon's clock and the retry backoff of job.h, shared by the runners
 * and the kinds. */
#include "worker/job.h"


time_t
od_job_clock(const od_config *cfg)
{
    return (time_t)(od_job_clock_ms(cfg) / 1000);
}

long long
od_job_clock_ms(const od_config *cfg)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 +
           (long long)cfg->clock_offset * 1000LL;
}

long
od_job_backoff_ms(const od_job_kind *k, int attempt, double r)
{
    double base = k->backoff_base_ms > 0 ? (double)k->backoff_base_ms : 1000.0;
    double cap = k->backoff_cap_ms > 0 ? (double)k->backoff_cap_ms : 3600000.0;
    double d = base;

    if (r < 0.0 || r >= 1.0)
        r = 0.0;
    /* doubling stops at the cap, so a large attempt cannot overflow */
    for (int n = 1; n < attempt && d < cap; n++)
        d *= 2.0;
    if (d > cap)
        d = cap;
    return (long)(d * (0.5 + r / 2.0));
}
