/* webhook_http.h: the daemon's HTTP client for webhook deliveries (libcurl). One
 * easy handle per runner process, reused so connections to a receiver stay open;
 * POST only; redirects never followed; no proxy; every address the name resolves
 * to is checked when the socket is opened (CURLOPT_OPENSOCKETFUNCTION), so DNS
 * rebinding cannot reach a refused range; the first 4 KB of an answer are kept and
 * the rest is not read; Retry-After is captured. */
#ifndef OD_WEBHOOK_HTTP_H
#define OD_WEBHOOK_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "domain/netaddr.h"

#define OD_WEBHOOK_ANSWER_MAX 4096   /* bytes of an answer's body kept */

/* One POST. Everything borrowed for the call. */
typedef struct od_webhook_post {
    const char *url;
    const char *body;
    size_t len;
    const char *const *headers;      /* "Name: value" lines, NULL-terminated */
    long connect_timeout_ms;
    long timeout_ms;                 /* the whole attempt */
    bool allow_http;
    const od_netlist *allow;         /* addresses allowed although refused; NULL: none */
} od_webhook_post;

/* What came back. */
typedef struct od_webhook_answer {
    int status;                      /* the HTTP status; 0: no answer (see error) */
    char body[OD_WEBHOOK_ANSWER_MAX];
    size_t body_len;                 /* bytes kept in body (not NUL-terminated) */
    bool cut;                        /* the body was longer: the rest was not read */
    char retry_after[64];            /* the Retry-After value, "" when none */
    char location[256];              /* the Location of a redirect, "" when none */
    char error[320];                 /* why there was no answer, "" when there was one */
    bool refused;                    /* an address was refused (SSRF guard) */
    long elapsed_ms;
} od_webhook_answer;

/* Sends p and fills *out. Returns OD_OK when the attempt ran (whatever the
 * receiver said, or why it did not answer, is in *out), OD_ENOMEM when libcurl
 * could not be set up. */
od_rc od_webhook_http_post(const od_webhook_post *p, od_webhook_answer *out);

/* Closes the process's handle and its connections (at exit). */
void od_webhook_http_close(void);

#endif
