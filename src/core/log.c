/* log.c: JSON log lines on stderr, each written with a single write(2). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

#define OD_LOG_LINE_MAX 16384  /* a 2048-byte message escapes to at most 12288 */

static const char *log_program = "odyssey";
static od_log_level log_min = OD_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
od_log_init(const char *program, od_log_level min)
{
    log_program = program;
    log_min = min;
}

int
od_log_level_parse(const char *s, od_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (od_log_level)i;
            return 0;
        }
    }
    return -1;
}

static void
line_start(od_buf *b, od_log_level level)
{
    struct timespec ts;
    struct tm tm;
    char when[40];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    od_buf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"prog\":\"", when,
                  ts.tv_nsec / 1000000, level_names[level]);
    od_buf_json_escape(b, log_program);
    od_buf_printf(b, "\",\"pid\":%ld", (long)getpid());
}

static void
line_write(od_buf *b)
{
    const char *p;
    size_t left;

    if (od_buf_puts(b, "}\n") != OD_OK) {
        /* Over the line cap: the buffer failed as a whole; say so instead. */
        static const char too_long[] = "{\"level\":\"error\",\"msg\":\"log line too long\"}\n";

        od_buf_free(b);
        if (write(STDERR_FILENO, too_long, sizeof(too_long) - 1) < 0) {
            /* nowhere left to report it */
        }
        return;
    }
    p = b->data;
    left = b->len;
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, p, left);

        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    od_buf_free(b);
}

void
od_log(od_log_level level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    od_buf b;

    if (level < log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    od_buf_init(&b, OD_LOG_LINE_MAX);
    line_start(&b, level);
    od_buf_puts(&b, ",\"msg\":\"");
    od_buf_json_escape(&b, msg);
    od_buf_puts(&b, "\"");
    line_write(&b);
}

static void
field_str(od_buf *b, const char *name, const char *value)
{
    od_buf_printf(b, ",\"%s\":", name);
    if (value == NULL) {
        od_buf_puts(b, "null");
        return;
    }
    od_buf_puts(b, "\"");
    od_buf_json_escape(b, value);
    od_buf_puts(b, "\"");
}

void
od_log_req(const od_log_request *r)
{
    od_buf b;

    if (OD_LOG_INFO < log_min)
        return;
    od_buf_init(&b, OD_LOG_LINE_MAX);
    line_start(&b, OD_LOG_INFO);
    field_str(&b, "req_id", r->req_id);
    field_str(&b, "user_id", r->user_id);
    field_str(&b, "vendor_id", r->vendor_id);
    field_str(&b, "role", r->role);
    field_str(&b, "method", r->method);
    field_str(&b, "route", r->route);
    od_buf_printf(&b, ",\"status\":%d,\"latency_ms\":%.3f,\"rows_read\":%ld,"
                  "\"rows_written\":%ld", r->status, r->latency_ms, r->rows_read,
                  r->rows_written);
    line_write(&b);
}

void
od_log_job(const od_log_job_attempt *j)
{
    od_log_level level = OD_LOG_INFO;
    od_buf b;

    if (strcmp(j->outcome, "dead") == 0 || strcmp(j->outcome, "lost") == 0)
        level = OD_LOG_WARN;
    if (level < log_min)
        return;
    od_buf_init(&b, OD_LOG_LINE_MAX);
    line_start(&b, level);
    od_buf_puts(&b, ",\"msg\":\"job attempt\"");
    field_str(&b, "job_id", j->job_id);
    field_str(&b, "kind", j->kind);
    field_str(&b, "vendor_id", j->vendor_id);
    od_buf_printf(&b, ",\"attempt\":%d", j->attempt);
    field_str(&b, "outcome", j->outcome);
    od_buf_printf(&b, ",\"duration_ms\":%.3f,\"delay_ms\":%ld", j->duration_ms, j->delay_ms);
    line_write(&b);
}
