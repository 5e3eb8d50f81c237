/* webhook_url.c: the registration check of webhook URLs (scheme, user info, host,
 * port, IP literals in refused ranges). Stricter than RFC 3986 where a lenient
 * reading could differ between this parser and libcurl's: no backslashes, no
 * percent-encoded or non-ASCII hosts, no numeric last label that is not an IPv4
 * address. */
#include "domain/webhook_url.h"

#include <string.h>

/* The refusal for an address of class c, completing "the URL ...". */
static const char *
refused(od_netclass c)
{
    switch (c) {
    case OD_NET_UNSPECIFIED: return "points to an unspecified address (0.0.0.0/8 or ::)";
    case OD_NET_LOOPBACK:    return "points to a loopback address";
    case OD_NET_PRIVATE:     return "points to a private address";
    case OD_NET_LINK_LOCAL:  return "points to a link-local address";
    case OD_NET_METADATA:    return "points to a cloud metadata address";
    case OD_NET_CGNAT:       return "points to a shared (CGNAT) address";
    case OD_NET_MULTICAST:   return "points to a multicast address";
    case OD_NET_RESERVED:
    case OD_NET_PUBLIC:      break;
    }
    return "points to a reserved address";
}

static bool
lower_eq(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A host name: labels of letters, digits, '-' and '_' (1 to 63 each, 253 in all),
 * copied lower-cased into out without a trailing dot. */
static bool
host_name(const char *s, size_t n, char *out)
{
    size_t label = 0;

    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_') {
            label++;
        } else if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
            label++;
        } else {
            return false;
        }
        if (label > 63)
            return false;
        out[i] = c;
    }
    out[n] = '\0';
    return label > 0;
}

/* True when the last label of name (lower case, no trailing dot) looks numeric
 * (starts with a digit): resolvers and browsers read such hosts as IPv4, so a
 * name like this that is not a valid address is refused rather than guessed. */
static bool
numeric_tail(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *last = dot ? dot + 1 : name;

    return is_digit(last[0]);
}

bool
od_webhook_url_check(const char *url, const od_webhook_policy *policy, od_webhook_url *out,
                     const char **why)
{
    od_webhook_url tmp;
    const char *p, *auth, *end, *host, *port = NULL;
    size_t len, hlen, slen;
    od_netclass c;

    if (out == NULL)
        out = &tmp;
    memset(out, 0, sizeof(*out));
    len = url ? strlen(url) : 0;
    if (len == 0 || len > OD_WEBHOOK_URL_MAX) {
        *why = "must be 1 to 2048 characters";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)url[i];

        if (ch <= 0x20 || ch >= 0x7f || ch == '\\') {
            *why = "must be printable ASCII without spaces or backslashes "
                   "(percent-encode the path, use punycode for the host)";
            return false;
        }
    }
    p = strstr(url, "://");
    slen = p ? (size_t)(p - url) : 0;
    if (lower_eq(url, slen, "https")) {
        out->https = true;
        out->port = 443;
    } else if (lower_eq(url, slen, "http")) {
        if (!policy->allow_http) {
            *why = "must use https";
            return false;
        }
        out->port = 80;
    } else {
        *why = "must be an absolute https URL";
        return false;
    }
    auth = p + 3;
    end = auth + strcspn(auth, "/?#");
    if (strchr(url, '#') != NULL) {
        *why = "must not have a fragment (#...)";
        return false;
    }
    if (memchr(auth, '@', (size_t)(end - auth)) != NULL) {
        *why = "must not contain user information (user:password@)";
        return false;
    }
    host = auth;
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));

        if (close == NULL) {
            *why = "has an unterminated IPv6 literal";
            return false;
        }
        hlen = (size_t)(close - host - 1);
        if (memchr(host + 1, '%', hlen) != NULL || hlen >= sizeof(out->host) ||
            !od_netaddr_parse(host + 1, hlen, &out->addr) || out->addr.family != 6) {
            *why = "has an invalid IPv6 literal";
            return false;
        }
        memcpy(out->host, host + 1, hlen);
        out->host[hlen] = '\0';
        out->literal = true;
        if (close + 1 < end) {
            if (close[1] != ':') {
                *why = "has an invalid host";
                return false;
            }
            port = close + 2;
        }
    } else {
        const char *colon = memchr(host, ':', (size_t)(end - host));

        hlen = (size_t)((colon ? colon : end) - host);
        if (colon != NULL)
            port = colon + 1;
        if (hlen == 0 || hlen > 254) {
            *why = "must name a host";
            return false;
        }
        if (od_netaddr_parse_ipv4(host, hlen, out->addr.b)) {
            out->addr.family = 4;
            out->literal = true;
            od_netaddr_format(&out->addr, out->host, sizeof(out->host));
        } else if (!host_name(host, hlen, out->host)) {
            *why = "has an invalid host name (letters, digits, '-', '.'; punycode for "
                   "other scripts)";
            return false;
        } else if (numeric_tail(out->host)) {
            *why = "has a host that ends in a number but is not an IPv4 address";
            return false;
        }
    }
    if (port != NULL) {
        long v = 0;

        if (port == end) {
            *why = "has an empty port";
            return false;
        }
        for (const char *q = port; q < end; q++) {
            if (!is_digit(*q) || q - port >= 5) {
                *why = "has an invalid port (1 to 65535)";
                return false;
            }
            v = v * 10 + (*q - '0');
        }
        if (v < 1 || v > 65535) {
            *why = "has an invalid port (1 to 65535)";
            return false;
        }
        out->port = (int)v;
    }
    if (out->literal && !od_netaddr_allowed(&out->addr, policy->allow, &c)) {
        *why = refused(c);
        return false;
    }
    *why = NULL;
    return true;
}
