/* request.c: FastCGI request reading and response writing. */
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/log.h"
#include "http/problem.h"

#define OD_DRAIN_CHUNK 65536
#define OD_DRAIN_MAX   ((size_t)64 * 1024 * 1024)  /* beyond this, close instead */

static const char *
env_or(const od_request *r, const char *name, const char *dflt)
{
    const char *v = FCGX_GetParam(name, r->fcgx->envp);

    return v != NULL ? v : dflt;
}

void
od_req_init(od_request *r, FCGX_Request *fcgx, od_arena *arena, const od_config *cfg)
{
    memset(r, 0, sizeof(*r));
    r->fcgx = fcgx;
    r->arena = arena;
    r->cfg = cfg;
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->method = env_or(r, "REQUEST_METHOD", "GET");
    r->path = env_or(r, "DOCUMENT_URI", "/");
    r->query = env_or(r, "QUERY_STRING", "");
    r->request_id = env_or(r, "ODYSSEY_REQUEST_ID", NULL);
}

const char *
od_req_env(const od_request *r, const char *name)
{
    return FCGX_GetParam(name, r->fcgx->envp);
}

bool
od_req_if_match(const od_request *r, const char *etag)
{
    const char *header = od_req_env(r, "HTTP_IF_MATCH");
    size_t n = strlen(etag);

    if (header == NULL)
        return true;
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

/* Reads and discards the rest of a refused body, so that nginx, which sends the
 * whole body before it reads the answer, gets the answer and not a reset. Bounded:
 * a body streamed forever is cut off when the connection closes. */
static void
drain(od_request *r)
{
    char scratch[OD_DRAIN_CHUNK];
    size_t total = 0;
    int n;

    while (total < OD_DRAIN_MAX && (n = FCGX_GetStr(scratch, sizeof(scratch), r->fcgx->in)) > 0)
        total += (size_t)n;
}

long
od_req_body_cap(const od_request *r)
{
    const od_route *route = r->match.route;

    return route != NULL && (route->flags & OD_ROUTE_BULK) ? r->cfg->bulk_body_max
                                                           : r->cfg->body_max;
}

od_rc
od_req_body(od_request *r, const char **data, size_t *len)
{
    const char *cl = od_req_env(r, "CONTENT_LENGTH");
    size_t cap = (size_t)od_req_body_cap(r);
    size_t want = 0, got = 0, alloc;
    char *buf;

    *data = "";
    *len = 0;
    if (r->body_read) {
        *data = r->body;
        *len = r->body_len;
        return OD_OK;
    }
    if (cl != NULL && *cl != '\0') {
        char *end;
        unsigned long long v = strtoull(cl, &end, 10);

        if (*end != '\0')
            return OD_EIO;
        if (v > cap) {
            drain(r);
            return OD_ETOOBIG;
        }
        want = (size_t)v;
    }
    /* With a known length read exactly that; otherwise grow up to the cap. */
    alloc = want > 0 ? want : (cap < 8192 ? cap : 8192);
    buf = od_arena_alloc(r->arena, alloc + 1);
    if (buf == NULL)
        return OD_EIO;
    for (;;) {
        int n;

        if (got == alloc) {
            char *bigger;

            if (cl != NULL && *cl != '\0')
                break;  /* read the declared length */
            if (alloc >= cap) {
                char probe;

                if (FCGX_GetStr(&probe, 1, r->fcgx->in) <= 0)
                    break;  /* exactly cap bytes: allowed */
                drain(r);
                return OD_ETOOBIG;
            }
            alloc = alloc * 2 > cap ? cap : alloc * 2;
            bigger = od_arena_alloc(r->arena, alloc + 1);
            if (bigger == NULL)
                return OD_EIO;
            memcpy(bigger, buf, got);
            buf = bigger;
        }
        n = FCGX_GetStr(buf + got, (int)(alloc - got), r->fcgx->in);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (want > 0 && got != want)
        return OD_EIO;  /* the body was cut short */
    buf[got] = '\0';
    *data = r->body = buf;
    *len = r->body_len = got;
    r->body_read = true;
    return OD_OK;
}

static int
is_json_media_type(const char *ct)
{
    size_t n;
    const char *semi;

    if (ct == NULL)
        return 0;
    semi = strchr(ct, ';');
    n = semi ? (size_t)(semi - ct) : strlen(ct);
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    /* application/<anything>+json, e.g. application/merge-patch+json */
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

json_object *
od_req_json(od_request *r)
{
    const char *data, *why;
    size_t len, offset;
    json_object *o;
    od_rc rc;

    if (!is_json_media_type(od_req_env(r, "CONTENT_TYPE"))) {
        od_resp_problem(r, 415, OD_PT_MEDIA_TYPE,
                        "the body must be application/json");
        return NULL;
    }
    rc = od_req_body(r, &data, &len);
    if (rc == OD_ETOOBIG) {
        od_resp_problem(r, 413, OD_PT_BODY_TOO_LARGE,
                        od_arena_printf(r->arena, "the body exceeds %ld bytes",
                                        od_req_body_cap(r)));
        return NULL;
    }
    if (rc != OD_OK) {
        od_resp_problem(r, 400, NULL, "the request body could not be read");
        return NULL;
    }
    if (od_json_parse(data, len, &o, &offset, &why) == OD_OK && o == NULL) {
        json_object *p = od_problem_for(r, 422, OD_PT_VALIDATION, "the body is null");

        od_problem_add_error(p, "#", "expected a JSON object, not null");
        od_resp_problem_doc(r, p, NULL);
        return NULL;
    }
    if (o == NULL) {
        json_object *p = od_problem_for(r, 400, OD_PT_MALFORMED_JSON,
                                        od_arena_printf(r->arena, "malformed JSON at byte %zu: %s",
                                                        offset, why));

        if (p != NULL)
            json_object_object_add(p, "offset", json_object_new_int64((int64_t)offset));
        od_resp_problem_doc(r, p, NULL);
        return NULL;
    }
    return od_json_own(r->arena, o);
}

json_object *
od_req_json_object(od_request *r)
{
    json_object *body = od_req_json(r), *p;

    if (body == NULL || json_object_is_type(body, json_type_object))
        return body;
    p = od_problem_for(r, 422, OD_PT_VALIDATION, "the body must be a JSON object");
    if (p != NULL)
        od_problem_add_error(p, "#", "expected a JSON object");
    od_resp_problem_doc(r, p, NULL);
    return NULL;
}

void
od_resp_send(od_request *r, int status, const char *content_type, const char *headers,
             const char *body, size_t len)
{
    if (r->status != 0)
        return;
    r->status = status;
    r->resp_type = content_type;
    r->resp_headers = headers ? od_arena_strdup(r->arena, headers) : NULL;
    r->resp_body = body;
    r->resp_len = len;
}

void
od_resp_reset(od_request *r)
{
    r->status = 0;
    r->resp_type = NULL;
    r->resp_headers = NULL;
    r->resp_body = NULL;
    r->resp_len = 0;
    r->resp_kept = NULL;
}

void
od_resp_flush(od_request *r)
{
    char head[2048];
    size_t len = r->resp_len;
    int n;

    /* libfcgi's own printf knows no %zu: format here, then write bytes. */
    n = snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: %s\r\n"
                 "Content-Length: %zu\r\n%s\r\n", r->status, od_http_reason(r->status),
                 r->resp_type ? r->resp_type : "application/json", len,
                 r->resp_headers ? r->resp_headers : "");
    if (n < 0 || (size_t)n >= sizeof(head)) {
        r->status = 500;
        n = snprintf(head, sizeof(head), "Status: 500 Internal Server Error\r\n"
                     "Content-Type: application/problem+json\r\nContent-Length: 0\r\n\r\n");
        len = 0;
    }
    FCGX_PutStr(head, n, r->fcgx->out);
    if (len > 0 && strcmp(r->method, "HEAD") != 0)
        FCGX_PutStr(r->resp_body, (int)len, r->fcgx->out);
}

void
od_resp_json(od_request *r, int status, json_object *o)
{
    size_t len;
    const char *text = od_json_text(o, &len);

    od_resp_send(r, status, "application/json", NULL, text, len);
}

json_object *
od_problem_for(od_request *r, int status, const char *type, const char *detail)
{
    return od_json_own(r->arena, od_problem_new(status, type, detail, r->path,
                                                r->request_id));
}

void
od_resp_problem_doc(od_request *r, json_object *problem, const char *headers)
{
    static const char fallback[] =
        "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500}";
    size_t len;
    const char *text;
    json_object *status;

    if (problem == NULL) {
        od_resp_send(r, 500, "application/problem+json", NULL, fallback,
                     sizeof(fallback) - 1);
        return;
    }
    json_object_object_get_ex(problem, "status", &status);
    text = od_json_text(problem, &len);
    od_resp_send(r, json_object_get_int(status), "application/problem+json", headers,
                 text, len);
}

void
od_resp_problem(od_request *r, int status, const char *type, const char *detail)
{
    od_resp_problem_doc(r, od_problem_for(r, status, type, detail), NULL);
}

void
od_resp_unavailable(od_request *r, const char *type, const char *detail)
{
    char hdr[64];

    snprintf(hdr, sizeof(hdr), "Retry-After: %d\r\n", r->cfg->retry_after);
    od_resp_problem_doc(r, od_problem_for(r, 503, type, detail), hdr);
}
