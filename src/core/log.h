/* log.h: one JSON object per line on stderr. Every line carries the time, level,
 * program and pid; request lines carry the request id and the PRD's fields. Callers
 * never pass tokens, secrets or health values: the log is not a data store. */
#ifndef OD_LOG_H
#define OD_LOG_H

typedef enum od_log_level {
    OD_LOG_DEBUG = 0,
    OD_LOG_INFO,
    OD_LOG_WARN,
    OD_LOG_ERROR
} od_log_level;

/* The fields of one request line (PRD 8.2). Strings are borrowed; NULL logs null. */
typedef struct od_log_request {
    const char *req_id;     /* nginx's $request_id */
    const char *user_id;    /* the token's subject, once verified */
    const char *vendor_id;  /* the resolved tenant */
    const char *role;       /* the caller's role in that tenant */
    const char *method;
    const char *route;      /* the route template, never the raw path */
    int status;
    double latency_ms;
    long rows_read;
    long rows_written;
} od_log_request;

/* The fields of one job attempt's line (the queue daemon). Strings are borrowed;
 * never a payload or an error text. */
typedef struct od_log_job_attempt {
    const char *job_id;
    const char *kind;
    const char *vendor_id;  /* NULL for a global job */
    int attempt;
    const char *outcome;    /* completed, retry, snooze, dead, canceled, released, lost */
    double duration_ms;
    long delay_ms;          /* retry/snooze: until the next run; else 0 */
} od_log_job_attempt;

/* Sets the program name (borrowed; must outlive logging) and the lowest level kept. */
void od_log_init(const char *program, od_log_level min);

/* Parses "debug|info|warn|error". Returns 0 and sets *out, or -1. */
int od_log_level_parse(const char *s, od_log_level *out);

/* Writes {"ts","level","prog","pid","msg"} with msg formatted printf-style. */
void od_log(od_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes one request line. */
void od_log_req(const od_log_request *r);

/* Writes one job attempt line (level info; warn for dead and lost). */
void od_log_job(const od_log_job_attempt *j);

#define od_log_debug(...) od_log(OD_LOG_DEBUG, __VA_ARGS__)
#define od_log_info(...)  od_log(OD_LOG_INFO, __VA_ARGS__)
#define od_log_warn(...)  od_log(OD_LOG_WARN, __VA_ARGS__)
#define od_log_error(...) od_log(OD_LOG_ERROR, __VA_ARGS__)

#endif
