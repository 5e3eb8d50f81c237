/* webhook.c: event types, the verdict on an HTTP answer, the retry schedule and
 * Retry-After parsing for webhook deliveries. Pure. */
#include "domain/webhook.h"

#include <string.h>

const char *const od_webhook_event_types[] = {
    "product.updated", "customer.updated", "job.completed", "job.failed",
};
const size_t od_webhook_event_count =
    sizeof(od_webhook_event_types) / sizeof(od_webhook_event_types[0]);

bool
od_webhook_event_known(const char *name)
{
    if (name == NULL)
        return false;
    if (strcmp(name, "*") == 0)
        return true;
    for (size_t i = 0; i < od_webhook_event_count; i++) {
        if (strcmp(name, od_webhook_event_types[i]) == 0)
            return true;
    }
    return false;
}

/* Seconds of each wait (Standard Webhooks' schedule). */
static const long schedule[OD_WEBHOOK_SCHEDULE_LEN] = {
    0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600,
};

long
od_webhook_retry_delay_ms(int n, double jitter)
{
    long base;
    double ms;

    if (jitter < 0.0 || jitter >= 1.0)
        jitter = 0.5;
    if (n < 1)
        n = 1;
    base = schedule[n > OD_WEBHOOK_SCHEDULE_LEN ? OD_WEBHOOK_SCHEDULE_LEN - 1 : n - 1];
    if (base == 0)
        ms = 1000.0 * jitter;
    else
        ms = (double)base * 1000.0 * (0.9 + 0.2 * jitter);
    return ms < 1.0 ? 1 : (long)ms;
}

int
od_webhook_max_attempts(int retries_max)
{
    return 1 + (retries_max < 0 ? 0 : retries_max);
}

/* --- Retry-After ------------------------------------------------------------ */

static bool
digits(const char *s, size_t n, long *out)
{
    long v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > 100000000L)
            return false;  /* far beyond any useful wait */
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int
month(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    for (int i = 0; i < 12; i++) {
        if (strncmp(s, names + 3 * i, 3) == 0)
            return i;
    }
    return -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
static long
days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "HH:MM:SS" at s. */
static bool
clock_of(const char *s, long *sec)
{
    long h, m, x;

    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m) || s[5] != ':' ||
        !digits(s + 6, 2, &x) || h > 23 || m > 59 || x > 60)
        return false;
    *sec = h * 3600 + m * 60 + x;
    return true;
}

/* Parses the three HTTP date forms into unix time. */
static bool
http_date(const char *s, time_t *out)
{
    const char *comma = strchr(s, ',');
    size_t n = strlen(s);
    long d, mo, y, sec;

    if (comma != NULL && comma - s == 3 && n == 29) {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (s[4] != ' ' || !digits(s + 5, 2, &d) || s[7] != ' ' || (mo = month(s + 8)) < 0 ||
            s[11] != ' ' || !digits(s + 12, 4, &y) || s[16] != ' ' || !clock_of(s + 17, &sec) ||
            strcmp(s + 25, " GMT") != 0)
            return false;
    } else if (comma != NULL) {
        /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
        const char *p = comma + 1;

        if (strlen(p) != 23 || p[0] != ' ' || !digits(p + 1, 2, &d) || p[3] != '-' ||
            (mo = month(p + 4)) < 0 || p[7] != '-' || !digits(p + 8, 2, &y) || p[10] != ' ' ||
            !clock_of(p + 11, &sec) || strcmp(p + 19, " GMT") != 0)
            return false;
        y += y < 70 ? 2000 : 1900;
    } else if (n == 24) {
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        char day[3] = { s[8] == ' ' ? '0' : s[8], s[9], '\0' };

        if (s[3] != ' ' || (mo = month(s + 4)) < 0 || s[7] != ' ' || !digits(day, 2, &d) ||
            s[10] != ' ' || !clock_of(s + 11, &sec) || s[19] != ' ' || !digits(s + 20, 4, &y))
            return false;
    } else {
        return false;
    }
    if (d < 1 || d > 31)
        return false;
    *out = (time_t)(days_from_civil(y, mo + 1, d) * 86400 + sec);
    return true;
}

bool
od_webhook_retry_after(const char *value, time_t now, long *seconds)
{
    size_t n;
    time_t at;

    if (value == NULL)
        return false;
    while (*value == ' ' || *value == '\t')
        value++;
    n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    if (n > 0 && value[0] >= '0' && value[0] <= '9') {
        long v = 0;

        for (size_t i = 0; i < n; i++) {
            if (value[i] < '0' || value[i] > '9')
                return false;
            v = v * 10 + (value[i] - '0');
            if (v > 1000000000L)
                v = 1000000000L;  /* saturates: a huge wait is a long one */
        }
        *seconds = v;
        return true;
    }
    if (n != strlen(value)) {
        char buf[40];

        if (n >= sizeof(buf))
            return false;
        memcpy(buf, value, n);
        buf[n] = '\0';
        if (!http_date(buf, &at))
            return false;
    } else if (!http_date(value, &at)) {
        return false;
    }
    *seconds = at > now ? (long)(at - now) : 0;
    return true;
}

od_webhook_verdict
od_webhook_judge(int status, const char *retry_after, time_t now, long *snooze_sec)
{
    long wait;

    if (status >= 200 && status < 300)
        return OD_WH_DELIVERED;
    if (status == 410)
        return OD_WH_GONE;
    if ((status == 429 || status == 503) && od_webhook_retry_after(retry_after, now, &wait)) {
        if (wait < 1)
            wait = 1;
        if (wait > OD_WEBHOOK_RETRY_AFTER_MAX)
            wait = OD_WEBHOOK_RETRY_AFTER_MAX;
        *snooze_sec = wait;
        return OD_WH_SNOOZE;
    }
    return OD_WH_RETRY;
}

/* --- answers as text --------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0;          /* no overlong forms */
    else if (c == 0xed)
        hi = 0x9f;          /* no surrogates */
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;          /* nothing past U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return len;
}

size_t
od_webhook_text(const char *in, size_t n, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0;

    if (cap == 0)
        return 0;
    while (i < n && o + 1 < cap) {
        unsigned char c = s[i];
        size_t len;

        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
            i++;
        } else if (c == '\t' || c == '\n' || c == '\r') {
            out[o++] = (char)c;
            i++;
        } else if (c >= 0x80 && (len = utf8_len(s + i, n - i)) > 0) {
            if (o + len + 1 > cap)
                break;
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    out[o] = '\0';
    return o;
}
