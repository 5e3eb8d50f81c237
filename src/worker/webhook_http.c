/* webhook_http.c: one libcurl easy handle per process for webhook POSTs, with the
 * connect-time address guard, capped answers and Retry-After. */
#include "worker/webhook_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/clock.h"

static CURL *easy;          /* this process's handle: its connections stay open */
static bool global_ready;   /* curl_global_init ran */
static od_netlist vetted;   /* the policy easy's open connections were checked under */
static bool vetted_http;

/* State of one call, seen by the callbacks. */
typedef struct call {
    const od_webhook_post *p;
    od_webhook_answer *out;
} call;

/* Opens the socket for an address libcurl is about to connect to, unless the
 * address is in a refused range and not allowed: then the connection fails. */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *address)
{
    call *c = arg;
    od_netaddr a = { 0 };
    od_netclass why = OD_NET_RESERVED;
    char text[OD_NETADDR_TEXT];

    if (purpose != CURLSOCKTYPE_IPCXN ||
        !od_netaddr_from_sockaddr(&address->addr, (socklen_t)address->addrlen, &a) ||
        !od_netaddr_allowed(&a, c->p->allow, &why)) {
        c->out->refused = true;
        if (a.family == 4 || a.family == 6)
            od_netaddr_format(&a, text, sizeof(text));
        else
            snprintf(text, sizeof(text), "(family %d)", address->family);
        snprintf(c->out->error, sizeof(c->out->error),
                 "refused to connect to %s: the address is %s (ODYSSEY_WEBHOOK_ALLOW_NETS "
                 "can allow it)", text, od_netclass_name(why));
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* Keeps the first OD_WEBHOOK_ANSWER_MAX bytes; past them the transfer stops (a
 * 10 MB answer is never read, let alone buffered). */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
    call *c = arg;
    size_t len = size * n, room = sizeof(c->out->body) - c->out->body_len;

    if (len > room) {
        memcpy(c->out->body + c->out->body_len, data, room);
        c->out->body_len += room;
        c->out->cut = true;
        return 0;  /* CURLE_WRITE_ERROR: stop reading */
    }
    memcpy(c->out->body + c->out->body_len, data, len);
    c->out->body_len += len;
    return len;
}

/* Copies the value of header line h (name of nlen bytes) into out, trimmed. */
static void
header_value(const char *h, size_t len, size_t nlen, char *out, size_t cap)
{
    const char *v = h + nlen, *end = h + len;

    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    snprintf(out, cap, "%.*s", (int)(end - v), v);
}

/* Captures Retry-After and Location of the final answer (a new status line, as
 * after a 100 Continue, starts over). */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
    call *c = arg;
    size_t len = size * n;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        c->out->retry_after[0] = '\0';
        c->out->location[0] = '\0';
    } else if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        header_value(data, len, 12, c->out->retry_after, sizeof(c->out->retry_after));
    } else if (len > 9 && strncasecmp(data, "Location:", 9) == 0) {
        header_value(data, len, 9, c->out->location, sizeof(c->out->location));
    }
    return len;
}

/* The process's handle, made at first use. A connection is checked when it opens:
 * when the operator's policy changed since (a reload), the handle and its open
 * connections are dropped, so none outlives the policy it was allowed by. */
static CURL *
handle(const od_webhook_post *p)
{
    size_t n = p->allow ? p->allow->n : 0;

    if (easy != NULL && (vetted_http != p->allow_http || vetted.n != n ||
                         (n > 0 && memcmp(vetted.blocks, p->allow->blocks,
                                          n * sizeof(vetted.blocks[0])) != 0))) {
        curl_easy_cleanup(easy);
        easy = NULL;
    }
    vetted_http = p->allow_http;
    vetted.n = n;
    if (n > 0)
        memcpy(vetted.blocks, p->allow->blocks, n * sizeof(vetted.blocks[0]));
    if (easy != NULL)
        return easy;
    if (!global_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        global_ready = true;
    }
    easy = curl_easy_init();
    return easy;
}

od_rc
od_webhook_http_post(const od_webhook_post *p, od_webhook_answer *out)
{
    CURL *h = handle(p);
    struct curl_slist *list = NULL, *l;
    char errbuf[CURL_ERROR_SIZE] = "";
    call c = { .p = p, .out = out };
    long started = od_now_ms(), code = 0;
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    if (h == NULL)
        return OD_ENOMEM;
    for (const char *const *hd = p->headers; hd != NULL && *hd != NULL; hd++) {
        if ((l = curl_slist_append(list, *hd)) == NULL) {
            curl_slist_free_all(list);
            return OD_ENOMEM;
        }
        list = l;
    }
    /* Reset every option but keep the connection cache (keep-alive). */
    curl_easy_reset(h);
    /* The guards are checked: a libcurl that refused one would send unguarded. */
    if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, p->allow_http ? "http,https" : "https") !=
            CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK) {
        curl_slist_free_all(list);
        snprintf(out->error, sizeof(out->error), "libcurl refused a safety option");
        return OD_OK;
    }
    curl_easy_setopt(h, CURLOPT_URL, p->url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, p->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, p->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    rc = curl_easy_perform(h);
    out->elapsed_ms = od_now_ms() - started;
    if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && out->cut)) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        out->status = (int)code;
    } else if (!out->refused) {
        if (rc == CURLE_OPERATION_TIMEDOUT)
            snprintf(out->error, sizeof(out->error), "no answer within the timeout "
                     "(connect %ld ms, total %ld ms): %s", p->connect_timeout_ms,
                     p->timeout_ms, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        else
            snprintf(out->error, sizeof(out->error), "%s%s%s", curl_easy_strerror(rc),
                     errbuf[0] ? ": " : "", errbuf);
    }
    /* The callbacks' data lives on this stack frame: leave nothing pointing at it. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(list);
    return OD_OK;
}

void
od_webhook_http_close(void)
{
    if (easy != NULL)
        curl_easy_cleanup(easy);
    easy = NULL;
    if (global_ready)
        curl_global_cleanup();
    global_ready = false;
}
