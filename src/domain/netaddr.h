/* netaddr.h: IP addresses for the webhook SSRF guard (pure): host literals read the
 * way inet_aton and resolvers read them ("2130706433", "0x7f.1" and "017700000001"
 * are all 127.0.0.1), the ranges a webhook may not reach (loopback, private,
 * link-local, CGNAT, metadata, multicast, reserved; IPv6 forms that embed an IPv4
 * address are judged by that address), and operator allow-lists of CIDR blocks. */
#ifndef OD_NETADDR_H
#define OD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/socket.h>

#define OD_NETLIST_MAX 32      /* blocks in one allow-list */
#define OD_NETADDR_TEXT 46     /* INET6_ADDRSTRLEN */

/* One address. IPv4 keeps its 4 bytes in b[0..3]. */
typedef struct od_netaddr {
    int family;                /* 4 or 6 */
    unsigned char b[16];       /* network byte order */
} od_netaddr;

/* Why an address is refused; OD_NET_PUBLIC is the only one a webhook may reach
 * without an allow-list. */
typedef enum od_netclass {
    OD_NET_PUBLIC = 0,
    OD_NET_UNSPECIFIED,        /* 0.0.0.0/8, :: */
    OD_NET_LOOPBACK,           /* 127.0.0.0/8, ::1 */
    OD_NET_PRIVATE,            /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48 */
    OD_NET_LINK_LOCAL,         /* 169.254/16, fe80::/10 */
    OD_NET_METADATA,           /* 169.254.169.254, fd00:ec2::254 (cloud metadata services) */
    OD_NET_CGNAT,              /* 100.64.0.0/10 */
    OD_NET_MULTICAST,          /* 224.0.0.0/4, ff00::/8 */
    OD_NET_RESERVED            /* 240/4 and broadcast, protocol, documentation and
                                * benchmarking nets, Teredo, ORCHID, unallocated IPv6 */
} od_netclass;

/* One CIDR block of an allow-list. */
typedef struct od_netblock {
    od_netaddr net;            /* host bits cleared */
    int prefix;                /* 0..32 or 0..128 */
} od_netblock;

typedef struct od_netlist {
    size_t n;
    od_netblock blocks[OD_NETLIST_MAX];
} od_netlist;

/* Parses s[0..n) as an IPv4 address the way inet_aton does: one to four parts
 * separated by dots, each decimal, octal (leading 0) or hexadecimal (0x), the last
 * part filling the remaining bytes ("127.1", "0x7f000001"); one trailing dot is
 * allowed. Writes the address to out[4]. Returns false when it is not one. */
bool od_netaddr_parse_ipv4(const char *s, size_t n, unsigned char out[4]);

/* Parses s[0..n) as an IPv4 address (od_netaddr_parse_ipv4) or an IPv6 address in
 * text form without brackets or zone. Returns false when it is neither. */
bool od_netaddr_parse(const char *s, size_t n, od_netaddr *out);

/* Reads a socket address (AF_INET or AF_INET6) into out. Returns false for another
 * family or a short length. */
bool od_netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len, od_netaddr *out);

/* The class of a: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96),
 * IPv4-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses are judged by the IPv4 address they carry; other IPv6 outside the
 * global unicast 2000::/3 is reserved. */
od_netclass od_netaddr_class(const od_netaddr *a);

/* A short name of c for messages ("loopback", "private", ...); static. */
const char *od_netclass_name(od_netclass c);

/* Writes a's text form into out (at least OD_NETADDR_TEXT bytes). */
void od_netaddr_format(const od_netaddr *a, char *out, size_t n);

/* Parses an allow-list: CIDR blocks ("127.0.0.1/32", "::1/128", a bare address is
 * one host) separated by commas or blanks; "" is the empty list. IPv4 blocks use
 * dotted decimal only. On failure returns false with a message naming the bad
 * entry in err. */
bool od_netlist_parse(const char *text, od_netlist *out, char *err, size_t errlen);

/* True when a is inside a block of l; an IPv4-mapped IPv6 address is looked up as
 * its IPv4 address. l may be NULL (empty). */
bool od_netlist_contains(const od_netlist *l, const od_netaddr *a);

/* True when a webhook may connect to a: it is in allow or its class is public.
 * *why (when not NULL) gets the class. */
bool od_netaddr_allowed(const od_netaddr *a, const od_netlist *allow, od_netclass *why);

#endif
