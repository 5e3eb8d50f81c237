/* webhook_url.h: the check of a webhook endpoint's URL at registration (pure): an
 * absolute https URL (http only when the operator allows it) without user info,
 * with a host name or an IP literal, an optional port; an IP literal must not be in
 * a refused range (domain/netaddr.h) unless the operator's allow-list names it. Host
 * names are judged at connect time, by the address they resolve to. */
#ifndef OD_WEBHOOK_URL_H
#define OD_WEBHOOK_URL_H

#include <stdbool.h>

#include "domain/netaddr.h"

#define OD_WEBHOOK_URL_MAX 2048  /* bytes (the column's CHECK) */

/* What the operator allows (ODYSSEY_WEBHOOK_ALLOW_HTTP, ODYSSEY_WEBHOOK_ALLOW_NETS). */
typedef struct od_webhook_policy {
    bool allow_http;             /* plain http URLs */
    const od_netlist *allow;     /* addresses reachable although refused; NULL: none */
} od_webhook_policy;

/* The parts of an accepted URL. */
typedef struct od_webhook_url {
    bool https;
    char host[256];              /* lower case, without brackets or trailing dot */
    int port;                    /* the explicit port, or 443 / 80 */
    bool literal;                /* host is an IP literal (addr) */
    od_netaddr addr;
} od_webhook_url;

/* Checks url against policy. On success returns true and fills *out (may be NULL).
 * Otherwise returns false and *why (a static phrase that completes "the URL ...",
 * e.g. "must use https") says what is wrong. */
bool od_webhook_url_check(const char *url, const od_webhook_policy *policy,
                          od_webhook_url *out, const char **why);

#endif
