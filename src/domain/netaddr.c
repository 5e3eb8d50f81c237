/* netaddr.c: IP address parsing (inet_aton's IPv4 forms, IPv6 text), the ranges a
 * webhook may not reach, and CIDR allow-lists. Pure: no resolution, no sockets. */
#include "domain/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One part of an inet_aton address: decimal, 0-prefixed octal or 0x hex (a bare
 * "0x" is 0, as resolvers and browsers read it). Returns false when s[0..n) is not
 * a number or exceeds 32 bits. */
static bool
ipv4_part(const char *s, size_t n, uint32_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i = 0;

    if (n == 0)
        return false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (n >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = s[i];

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d >= base)
            return false;
        v = v * base + d;
        if (v > 0xffffffffu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool
od_netaddr_parse_ipv4(const char *s, size_t n, unsigned char out[4])
{
    uint32_t parts[4], v;
    size_t np = 0, start = 0;

    if (n > 0 && s[n - 1] == '.')
        n--;  /* "127.0.0.1." is the same address */
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (np == 4 || !ipv4_part(s + start, i - start, &parts[np]))
            return false;
        np++;
        start = i + 1;
    }
    /* Every part but the last is one byte; the last fills what is left. */
    for (size_t i = 0; i + 1 < np; i++) {
        if (parts[i] > 255)
            return false;
    }
    switch (np) {
    case 1:
        v = parts[0];
        break;
    case 2:
        if (parts[1] > 0xffffffu)
            return false;
        v = parts[0] << 24 | parts[1];
        break;
    case 3:
        if (parts[2] > 0xffffu)
            return false;
        v = parts[0] << 24 | parts[1] << 16 | parts[2];
        break;
    default:
        if (parts[3] > 255)
            return false;
        v = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
        break;
    }
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
    return true;
}

bool
od_netaddr_parse(const char *s, size_t n, od_netaddr *out)
{
    char buf[OD_NETADDR_TEXT];

    memset(out, 0, sizeof(*out));
    if (od_netaddr_parse_ipv4(s, n, out->b)) {
        out->family = 4;
        return true;
    }
    if (n == 0 || n >= sizeof(buf) || memchr(s, ':', n) == NULL)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, out->b) != 1)
        return false;
    out->family = 6;
    return true;
}

bool
od_netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len, od_netaddr *out)
{
    memset(out, 0, sizeof(*out));
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

        out->family = 4;
        memcpy(out->b, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        out->family = 6;
        memcpy(out->b, &in6->sin6_addr, 16);
        return true;
    }
    return false;
}

/* True when the first bits of a equal those of net (both byte arrays). */
static bool
prefix_eq(const unsigned char *a, const unsigned char *net, int bits)
{
    int full = bits / 8, rest = bits % 8;

    if (memcmp(a, net, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[full] ^ net[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

static od_netclass
class4(const unsigned char *b)
{
    static const struct {
        unsigned char net[4];
        int bits;
        od_netclass c;
    } ranges[] = {
        { { 169, 254, 169, 254 }, 32, OD_NET_METADATA },  /* before link-local */
        { { 0, 0, 0, 0 }, 8, OD_NET_UNSPECIFIED },
        { { 10, 0, 0, 0 }, 8, OD_NET_PRIVATE },
        { { 100, 64, 0, 0 }, 10, OD_NET_CGNAT },
        { { 127, 0, 0, 0 }, 8, OD_NET_LOOPBACK },
        { { 169, 254, 0, 0 }, 16, OD_NET_LINK_LOCAL },
        { { 172, 16, 0, 0 }, 12, OD_NET_PRIVATE },
        { { 192, 0, 0, 0 }, 24, OD_NET_RESERVED },      /* IETF protocol assignments */
        { { 192, 0, 2, 0 }, 24, OD_NET_RESERVED },      /* TEST-NET-1 */
        { { 192, 88, 99, 0 }, 24, OD_NET_RESERVED },    /* 6to4 relay anycast */
        { { 192, 168, 0, 0 }, 16, OD_NET_PRIVATE },
        { { 198, 18, 0, 0 }, 15, OD_NET_RESERVED },     /* benchmarking */
        { { 198, 51, 100, 0 }, 24, OD_NET_RESERVED },   /* TEST-NET-2 */
        { { 203, 0, 113, 0 }, 24, OD_NET_RESERVED },    /* TEST-NET-3 */
        { { 224, 0, 0, 0 }, 4, OD_NET_MULTICAST },
        { { 240, 0, 0, 0 }, 4, OD_NET_RESERVED },       /* and 255.255.255.255 */
    };

    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (prefix_eq(b, ranges[i].net, ranges[i].bits))
            return ranges[i].c;
    }
    return OD_NET_PUBLIC;
}

/* An IPv6 address that carries an IPv4 one: its class, or OD_NET_RESERVED when the
 * carried address is public but the form itself is not routable (deprecated). */
static od_netclass
embedded(const unsigned char *v4, bool routable)
{
    od_netclass c = class4(v4);

    return c == OD_NET_PUBLIC && !routable ? OD_NET_RESERVED : c;
}

static od_netclass
class6(const unsigned char *b)
{
    static const unsigned char zero[16];
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char translated[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };
    static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const unsigned char metadata[16] = { 0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0,
                                                0, 0, 0, 0, 0, 0, 0x02, 0x54 };
    static const struct {
        unsigned char net[16];
        int bits;
        od_netclass c;
    } ranges[] = {
        { { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, OD_NET_PRIVATE },      /* local-use NAT64 */
        { { 0x01, 0 }, 64, OD_NET_RESERVED },                       /* 100::/64 discard */
        { { 0x20, 0x01, 0x0d, 0xb8 }, 32, OD_NET_RESERVED },        /* documentation */
        { { 0x20, 0x01, 0, 0x10 }, 28, OD_NET_RESERVED },           /* ORCHID */
        { { 0x20, 0x01, 0, 0x20 }, 28, OD_NET_RESERVED },           /* ORCHIDv2 */
        { { 0x20, 0x01, 0, 0 }, 32, OD_NET_RESERVED },              /* Teredo */
        { { 0x3f, 0xff }, 20, OD_NET_RESERVED },                    /* documentation */
        { { 0xfc }, 7, OD_NET_PRIVATE },                            /* unique local */
        { { 0xfe, 0x80 }, 10, OD_NET_LINK_LOCAL },
        { { 0xfe, 0xc0 }, 10, OD_NET_PRIVATE },                     /* site-local */
        { { 0xff }, 8, OD_NET_MULTICAST },
    };

    if (memcmp(b, zero, 16) == 0)
        return OD_NET_UNSPECIFIED;
    if (memcmp(b, zero, 15) == 0 && b[15] == 1)
        return OD_NET_LOOPBACK;
    if (memcmp(b, metadata, 16) == 0)
        return OD_NET_METADATA;
    if (memcmp(b, mapped, 12) == 0)
        return embedded(b + 12, true);
    if (memcmp(b, zero, 12) == 0)
        return embedded(b + 12, false);    /* IPv4-compatible (deprecated) */
    if (memcmp(b, translated, 12) == 0)
        return embedded(b + 12, false);    /* IPv4-translated (SIIT) */
    if (memcmp(b, nat64, 12) == 0)
        return embedded(b + 12, true);     /* the well-known NAT64 prefix */
    if (b[0] == 0x20 && b[1] == 0x02)
        return embedded(b + 2, true);      /* 6to4: 2002:AABB:CCDD::/48 */
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (prefix_eq(b, ranges[i].net, ranges[i].bits))
            return ranges[i].c;
    }
    /* Only the global unicast block 2000::/3 is allocated for the Internet. */
    return (b[0] & 0xe0) == 0x20 ? OD_NET_PUBLIC : OD_NET_RESERVED;
}

od_netclass
od_netaddr_class(const od_netaddr *a)
{
    return a->family == 4 ? class4(a->b) : class6(a->b);
}

const char *
od_netclass_name(od_netclass c)
{
    switch (c) {
    case OD_NET_PUBLIC:      return "public";
    case OD_NET_UNSPECIFIED: return "unspecified (this network)";
    case OD_NET_LOOPBACK:    return "loopback";
    case OD_NET_PRIVATE:     return "private";
    case OD_NET_LINK_LOCAL:  return "link-local";
    case OD_NET_METADATA:    return "a cloud metadata service";
    case OD_NET_CGNAT:       return "shared (CGNAT)";
    case OD_NET_MULTICAST:   return "multicast";
    case OD_NET_RESERVED:    return "reserved";
    }
    return "reserved";
}

void
od_netaddr_format(const od_netaddr *a, char *out, size_t n)
{
    if (n == 0)
        return;
    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, out, (socklen_t)n) == NULL)
        out[0] = '\0';
}

/* Clears the bits of a past prefix. */
static void
mask(od_netaddr *a, int prefix)
{
    int len = a->family == 4 ? 4 : 16;

    for (int i = 0; i < len; i++) {
        int keep = prefix - i * 8;

        if (keep <= 0)
            a->b[i] = 0;
        else if (keep < 8)
            a->b[i] &= (unsigned char)(0xff << (8 - keep));
    }
}

/* One entry "ADDR" or "ADDR/PREFIX". IPv4 must be dotted decimal here: an operator
 * writes what they mean. */
static bool
parse_block(const char *s, size_t n, od_netblock *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    char buf[OD_NETADDR_TEXT];
    int max;

    if (alen == 0 || alen >= sizeof(buf))
        return false;
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    memset(&out->net, 0, sizeof(out->net));
    if (inet_pton(AF_INET, buf, out->net.b) == 1)
        out->net.family = 4;
    else if (inet_pton(AF_INET6, buf, out->net.b) == 1)
        out->net.family = 6;
    else
        return false;
    max = out->net.family == 4 ? 32 : 128;
    out->prefix = max;
    if (slash != NULL) {
        size_t plen = n - alen - 1;
        int p = 0;

        if (plen == 0 || plen > 3)
            return false;
        for (size_t i = 0; i < plen; i++) {
            if (slash[1 + i] < '0' || slash[1 + i] > '9')
                return false;
            p = p * 10 + (slash[1 + i] - '0');
        }
        if (p > max)
            return false;
        out->prefix = p;
    }
    mask(&out->net, out->prefix);
    return true;
}

bool
od_netlist_parse(const char *text, od_netlist *out, char *err, size_t errlen)
{
    const char *p = text ? text : "";

    out->n = 0;
    while (*p != '\0') {
        size_t n;

        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        n = strcspn(p, ", \t");
        if (out->n == OD_NETLIST_MAX) {
            snprintf(err, errlen, "more than %d blocks", OD_NETLIST_MAX);
            return false;
        }
        if (!parse_block(p, n, &out->blocks[out->n])) {
            snprintf(err, errlen, "\"%.*s\" is not an address or CIDR block such as "
                     "127.0.0.1/32 or ::1/128", (int)(n > 60 ? 60 : n), p);
            return false;
        }
        out->n++;
        p += n;
    }
    return true;
}

bool
od_netlist_contains(const od_netlist *l, const od_netaddr *a)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    od_netaddr v4;

    if (l == NULL)
        return false;
    if (a->family == 6 && memcmp(a->b, mapped, 12) == 0) {
        memset(&v4, 0, sizeof(v4));
        v4.family = 4;
        memcpy(v4.b, a->b + 12, 4);
        a = &v4;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (l->blocks[i].net.family == a->family &&
            prefix_eq(a->b, l->blocks[i].net.b, l->blocks[i].prefix))
            return true;
    }
    return false;
}

bool
od_netaddr_allowed(const od_netaddr *a, const od_netlist *allow, od_netclass *why)
{
    od_netclass c = od_netaddr_class(a);

    if (why != NULL)
        *why = c;
    return c == OD_NET_PUBLIC || od_netlist_contains(allow, a);
}
