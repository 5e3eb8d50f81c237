/* webhook.h: the rules of webhook delivery (pure): the event types an endpoint may
 * subscribe to, what an HTTP answer means for a delivery, the retry schedule with
 * its jitter, and Retry-After (seconds or an HTTP date). See docs/webhooks.md. */
#ifndef OD_WEBHOOK_H
#define OD_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define OD_WEBHOOK_EVENTS_MAX    16        /* entries of an endpoint's events[] */
#define OD_WEBHOOK_PING          "webhook.ping"  /* sent by POST .../test only */
#define OD_WEBHOOK_RETRY_AFTER_MAX 86400L  /* a longer Retry-After is cut to a day */

/* The event types an endpoint may subscribe to ("*" is every one of them); static. */
extern const char *const od_webhook_event_types[];
extern const size_t od_webhook_event_count;

/* True when name is a subscribable event type or "*". */
bool od_webhook_event_known(const char *name);

/* What one attempt's answer means. */
typedef enum od_webhook_verdict {
    OD_WH_DELIVERED,   /* 2xx */
    OD_WH_RETRY,       /* failed; try again on the schedule (spends an attempt) */
    OD_WH_SNOOZE,      /* 429/503 with a usable Retry-After: again then, no attempt spent */
    OD_WH_GONE         /* 410: the endpoint is disabled, the delivery dead */
} od_webhook_verdict;

/* The verdict for HTTP status (0: no answer: connection refused, timeout, refused
 * address) with the Retry-After value (NULL: none) at unix time now; for
 * OD_WH_SNOOZE *snooze_sec is the wait in seconds (1 to OD_WEBHOOK_RETRY_AFTER_MAX).
 * Redirects (3xx) are failures: they are never followed. */
od_webhook_verdict od_webhook_judge(int status, const char *retry_after, time_t now,
                                    long *snooze_sec);

/* Parses a Retry-After value (RFC 9110 10.2.3): delta-seconds, or an HTTP date
 * (IMF-fixdate, and the obsolete RFC 850 and asctime forms) turned into seconds
 * from now (a past date is 0). Returns false when it is neither. */
bool od_webhook_retry_after(const char *value, time_t now, long *seconds);

/* The number of waits in the schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h, 24 h. */
#define OD_WEBHOOK_SCHEDULE_LEN 10

/* The wait before retry n (1 = the first retry after the first attempt) in
 * milliseconds: the n-th entry of the schedule (24 h past its end), moved by the
 * jitter: jitter in [0, 1) scales it into [0.9, 1.1) of itself, and an immediate
 * retry waits 0 to 1 s. Never below 1 ms. */
long od_webhook_retry_delay_ms(int n, double jitter);

/* The attempts a delivery gets for an endpoint's retries_max: the first one plus
 * retries_max retries. */
int od_webhook_max_attempts(int retries_max);

/* Copies n bytes of a receiver's answer into out (cap bytes, NUL-terminated) as
 * text a database column can hold: valid UTF-8 is kept; NUL and other control
 * characters (but tab, CR and LF) and invalid or cut UTF-8 sequences become '?'.
 * Returns the bytes written before the NUL. */
size_t od_webhook_text(const char *in, size_t n, char *out, size_t cap);

#endif
