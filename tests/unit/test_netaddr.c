/* test_netaddr.c: the webhook SSRF guard (pure): IPv4 literals in every form
 * inet_aton reads, the class of each refused range and of the IPv6 forms that carry
 * an IPv4 address, allow-lists, and the registration check of whole URLs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "domain/netaddr.h"
#include "domain/webhook_url.h"
#include "unit.h"

/* text parses as the address want (dotted or IPv6 text), or fails when want is NULL. */
static void
parses_as(const char *text, const char *want)
{
    od_netaddr a, b;
    bool ok = od_netaddr_parse(text, strlen(text), &a);

    if (want == NULL) {
        CU_ASSERT_FALSE(ok);
        if (ok)
            printf("\n    \"%s\" parsed, want a refusal", text);
        return;
    }
    CU_ASSERT_TRUE(od_netaddr_parse(want, strlen(want), &b));
    CU_ASSERT_TRUE(ok && a.family == b.family && memcmp(a.b, b.b, 16) == 0);
    if (!ok || a.family != b.family || memcmp(a.b, b.b, 16) != 0)
        printf("\n    \"%s\" did not parse as %s", text, want);
}

static void
test_ipv4_forms(void)
{
    /* the forms resolvers and inet_aton accept */
    parses_as("127.0.0.1", "127.0.0.1");
    parses_as("2130706433", "127.0.0.1");
    parses_as("017700000001", "127.0.0.1");
    parses_as("0x7f000001", "127.0.0.1");
    parses_as("0X7F000001", "127.0.0.1");
    parses_as("0x7f.1", "127.0.0.1");
    parses_as("127.1", "127.0.0.1");
    parses_as("127.0.1", "127.0.0.1");
    parses_as("0177.0.0.01", "127.0.0.1");
    parses_as("0x7f.0x0.0x0.0x1", "127.0.0.1");
    parses_as("127.0.0.1.", "127.0.0.1");
    parses_as("0", "0.0.0.0");
    parses_as("0x", "0.0.0.0");
    parses_as("169.254.43518", "169.254.169.254");
    parses_as("0xa9fea9fe", "169.254.169.254");
    parses_as("3232235777", "192.168.1.1");
    parses_as("4294967295", "255.255.255.255");
    parses_as("8.8.8.8", "8.8.8.8");
    /* not addresses */
    parses_as("4294967296", NULL);
    parses_as("256.0.0.1", NULL);
    parses_as("1.2.3.4.5", NULL);
    parses_as("1.2.3.256", NULL);
    parses_as("1.2.65536", NULL);
    parses_as("1.16777216", NULL);
    parses_as("08.0.0.1", NULL);
    parses_as("0x1g.0.0.1", NULL);
    parses_as("1..2.3", NULL);
    parses_as(".1.2.3", NULL);
    parses_as("127.0.0.1..", NULL);
    parses_as("", NULL);
    parses_as("example.com", NULL);
    parses_as("1.2.3.4 ", NULL);
    parses_as("-1", NULL);
    parses_as("+1", NULL);
}

static void
test_ipv6_forms(void)
{
    parses_as("::1", "::1");
    parses_as("::ffff:127.0.0.1", "::ffff:7f00:1");
    parses_as("2001:db8::1", "2001:db8:0:0:0:0:0:1");
    parses_as("fe80::1%eth0", NULL);
    parses_as(":::1", NULL);
    parses_as("2001:db8::g", NULL);
}

/* The class of text. */
static od_netclass
class_of(const char *text)
{
    od_netaddr a;

    if (!od_netaddr_parse(text, strlen(text), &a)) {
        printf("\n    \"%s\" does not parse", text);
        CU_FAIL("not an address");
        return OD_NET_PUBLIC;
    }
    return od_netaddr_class(&a);
}

static void
is_class(const char *text, od_netclass want)
{
    od_netclass got = class_of(text);

    CU_ASSERT_EQUAL(got, want);
    if (got != want)
        printf("\n    %s is %s, want %s", text, od_netclass_name(got), od_netclass_name(want));
}

static void
test_ipv4_classes(void)
{
    static const struct { const char *addr; od_netclass c; } cases[] = {
        { "0.0.0.0", OD_NET_UNSPECIFIED }, { "0.255.255.255", OD_NET_UNSPECIFIED },
        { "1.0.0.0", OD_NET_PUBLIC },
        { "9.255.255.255", OD_NET_PUBLIC }, { "10.0.0.0", OD_NET_PRIVATE },
        { "10.255.255.255", OD_NET_PRIVATE }, { "11.0.0.0", OD_NET_PUBLIC },
        { "100.63.255.255", OD_NET_PUBLIC }, { "100.64.0.0", OD_NET_CGNAT },
        { "100.100.100.200", OD_NET_CGNAT }, { "100.127.255.255", OD_NET_CGNAT },
        { "100.128.0.0", OD_NET_PUBLIC }, { "126.255.255.255", OD_NET_PUBLIC },
        { "127.0.0.1", OD_NET_LOOPBACK }, { "127.255.255.254", OD_NET_LOOPBACK },
        { "128.0.0.0", OD_NET_PUBLIC }, { "169.253.255.255", OD_NET_PUBLIC },
        { "169.254.0.1", OD_NET_LINK_LOCAL }, { "169.254.169.254", OD_NET_METADATA },
        { "169.254.169.253", OD_NET_LINK_LOCAL }, { "169.255.0.0", OD_NET_PUBLIC },
        { "172.15.255.255", OD_NET_PUBLIC }, { "172.16.0.0", OD_NET_PRIVATE },
        { "172.31.255.255", OD_NET_PRIVATE }, { "172.32.0.0", OD_NET_PUBLIC },
        { "192.0.0.8", OD_NET_RESERVED }, { "192.0.1.1", OD_NET_PUBLIC },
        { "192.0.2.1", OD_NET_RESERVED }, { "192.88.99.1", OD_NET_RESERVED },
        { "192.167.255.255", OD_NET_PUBLIC }, { "192.168.0.1", OD_NET_PRIVATE },
        { "192.168.255.255", OD_NET_PRIVATE }, { "192.169.0.0", OD_NET_PUBLIC },
        { "198.17.255.255", OD_NET_PUBLIC }, { "198.18.0.1", OD_NET_RESERVED },
        { "198.19.255.255", OD_NET_RESERVED }, { "198.20.0.0", OD_NET_PUBLIC },
        { "198.51.100.7", OD_NET_RESERVED }, { "203.0.113.9", OD_NET_RESERVED },
        { "223.255.255.255", OD_NET_PUBLIC }, { "224.0.0.1", OD_NET_MULTICAST },
        { "239.255.255.255", OD_NET_MULTICAST }, { "240.0.0.1", OD_NET_RESERVED },
        { "255.255.255.255", OD_NET_RESERVED }, { "8.8.8.8", OD_NET_PUBLIC },
        { "93.184.216.34", OD_NET_PUBLIC },
        /* encoded forms are judged by the address they mean */
        { "2130706433", OD_NET_LOOPBACK }, { "0x7f.1", OD_NET_LOOPBACK },
        { "017700000001", OD_NET_LOOPBACK }, { "0xa9fea9fe", OD_NET_METADATA },
        { "012.0.0.1", OD_NET_PRIVATE }, { "0", OD_NET_UNSPECIFIED },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_class(cases[i].addr, cases[i].c);
}

static void
test_ipv6_classes(void)
{
    static const struct { const char *addr; od_netclass c; } cases[] = {
        { "::", OD_NET_UNSPECIFIED }, { "::1", OD_NET_LOOPBACK },
        { "::2", OD_NET_UNSPECIFIED },  /* IPv4-compatible 0.0.0.2 */
        /* IPv4-mapped: the IPv4 address decides */
        { "::ffff:127.0.0.1", OD_NET_LOOPBACK }, { "::ffff:7f00:1", OD_NET_LOOPBACK },
        { "::ffff:10.1.2.3", OD_NET_PRIVATE }, { "::ffff:169.254.169.254", OD_NET_METADATA },
        { "::ffff:100.64.0.1", OD_NET_CGNAT }, { "::ffff:8.8.8.8", OD_NET_PUBLIC },
        { "::ffff:0.0.0.0", OD_NET_UNSPECIFIED },
        /* IPv4-compatible and -translated: deprecated, never public */
        { "::127.0.0.1", OD_NET_LOOPBACK }, { "::8.8.8.8", OD_NET_RESERVED },
        { "::ffff:0:8.8.8.8", OD_NET_RESERVED }, { "::ffff:0:10.0.0.1", OD_NET_PRIVATE },
        /* NAT64 and 6to4 carry the IPv4 address */
        { "64:ff9b::7f00:1", OD_NET_LOOPBACK }, { "64:ff9b::a9fe:a9fe", OD_NET_METADATA },
        { "64:ff9b::808:808", OD_NET_PUBLIC }, { "64:ff9b:1::1", OD_NET_PRIVATE },
        { "2002:7f00:1::1", OD_NET_LOOPBACK }, { "2002:c0a8:101::", OD_NET_PRIVATE },
        { "2002:808:808::1", OD_NET_PUBLIC },
        { "fc00::1", OD_NET_PRIVATE }, { "fd12:3456::1", OD_NET_PRIVATE },
        { "fd00:ec2::254", OD_NET_METADATA },
        { "fe80::1", OD_NET_LINK_LOCAL }, { "febf:ffff::1", OD_NET_LINK_LOCAL },
        { "fec0::1", OD_NET_PRIVATE }, { "ff02::1", OD_NET_MULTICAST },
        { "ff0e::1", OD_NET_MULTICAST }, { "100::1", OD_NET_RESERVED },
        { "2001:db8::1", OD_NET_RESERVED }, { "2001::1", OD_NET_RESERVED },
        { "2001:10::1", OD_NET_RESERVED }, { "2001:20::1", OD_NET_RESERVED },
        { "3fff::1", OD_NET_RESERVED }, { "4000::1", OD_NET_RESERVED },
        { "::fffe:1:1", OD_NET_RESERVED }, { "1::", OD_NET_RESERVED },
        { "2606:4700:4700::1111", OD_NET_PUBLIC }, { "2a00:1450:4001::1", OD_NET_PUBLIC },
        { "2001:4860:4860::8888", OD_NET_PUBLIC },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_class(cases[i].addr, cases[i].c);
}

static void
test_sockaddr(void)
{
    struct sockaddr_in in = { .sin_family = AF_INET };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
    od_netaddr a;

    inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
    CU_ASSERT_TRUE(od_netaddr_from_sockaddr((struct sockaddr *)&in, sizeof(in), &a));
    CU_ASSERT_EQUAL(od_netaddr_class(&a), OD_NET_METADATA);
    CU_ASSERT_FALSE(od_netaddr_from_sockaddr((struct sockaddr *)&in, 4, &a));
    inet_pton(AF_INET6, "::ffff:192.168.0.1", &in6.sin6_addr);
    CU_ASSERT_TRUE(od_netaddr_from_sockaddr((struct sockaddr *)&in6, sizeof(in6), &a));
    CU_ASSERT_EQUAL(a.family, 6);
    CU_ASSERT_EQUAL(od_netaddr_class(&a), OD_NET_PRIVATE);
    in.sin_family = AF_UNIX;
    CU_ASSERT_FALSE(od_netaddr_from_sockaddr((struct sockaddr *)&in, sizeof(in), &a));
    CU_ASSERT_FALSE(od_netaddr_from_sockaddr(NULL, 0, &a));
}

static bool
allowed(const od_netlist *l, const char *text)
{
    od_netaddr a;

    CU_ASSERT_TRUE_FATAL(od_netaddr_parse(text, strlen(text), &a));
    return od_netaddr_allowed(&a, l, NULL);
}

static void
test_allow_lists(void)
{
    od_netlist l;
    char err[128];

    CU_ASSERT_TRUE(od_netlist_parse("", &l, err, sizeof(err)));
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_FALSE(allowed(&l, "127.0.0.1"));
    CU_ASSERT_TRUE(allowed(&l, "8.8.8.8"));
    CU_ASSERT_FALSE(allowed(NULL, "10.0.0.1"));
    CU_ASSERT_TRUE(od_netlist_parse("127.0.0.1/32, 10.1.0.0/16 ::1 fd00::/8,", &l, err,
                                    sizeof(err)));
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT_TRUE(allowed(&l, "127.0.0.1"));
    CU_ASSERT_TRUE(allowed(&l, "::ffff:127.0.0.1"));   /* mapped: as its IPv4 */
    CU_ASSERT_FALSE(allowed(&l, "127.0.0.2"));
    CU_ASSERT_TRUE(allowed(&l, "10.1.255.1"));
    CU_ASSERT_FALSE(allowed(&l, "10.2.0.1"));
    CU_ASSERT_TRUE(allowed(&l, "::1"));
    CU_ASSERT_TRUE(allowed(&l, "fd12::1"));
    CU_ASSERT_FALSE(allowed(&l, "fc00::1"));
    CU_ASSERT_FALSE(allowed(&l, "169.254.169.254"));
    /* host bits are masked; a bare address is one host */
    CU_ASSERT_TRUE(od_netlist_parse("192.168.1.77/24", &l, err, sizeof(err)));
    CU_ASSERT_TRUE(allowed(&l, "192.168.1.5"));
    CU_ASSERT_TRUE(od_netlist_parse("0.0.0.0/0", &l, err, sizeof(err)));
    CU_ASSERT_TRUE(allowed(&l, "169.254.169.254"));
    CU_ASSERT_FALSE(allowed(&l, "::1"));
    /* refusals name the entry */
    CU_ASSERT_FALSE(od_netlist_parse("127.0.0.1/33", &l, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "127.0.0.1/33"));
    CU_ASSERT_FALSE(od_netlist_parse("0x7f000001/32", &l, err, sizeof(err)));
    CU_ASSERT_FALSE(od_netlist_parse("localhost", &l, err, sizeof(err)));
    CU_ASSERT_FALSE(od_netlist_parse("::1/129", &l, err, sizeof(err)));
    CU_ASSERT_FALSE(od_netlist_parse("10.0.0.0/", &l, err, sizeof(err)));
    CU_ASSERT_FALSE(od_netlist_parse("10.0.0.0/x", &l, err, sizeof(err)));
    CU_ASSERT_FALSE(od_netlist_parse("/8", &l, err, sizeof(err)));
}

/* url is accepted under p (port want_port), or refused when want_port is 0 with a
 * reason containing why. */
static void
url_is(const char *url, const od_webhook_policy *p, int want_port, const char *why_part)
{
    od_webhook_url u;
    const char *why = NULL;
    bool ok = od_webhook_url_check(url, p, &u, &why);

    if (want_port > 0) {
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_EQUAL(u.port, want_port);
        if (!ok || u.port != want_port)
            printf("\n    %s: %s (port %d)", url, why ? why : "ok", u.port);
        return;
    }
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_TRUE(!ok && why != NULL && strstr(why, why_part) != NULL);
    if (ok || why == NULL || strstr(why, why_part) == NULL)
        printf("\n    %s: %s, want a refusal with \"%s\"", url, ok ? "accepted" : why, why_part);
}

static void
test_urls(void)
{
    od_webhook_policy strict = { .allow_http = false, .allow = NULL };
    od_webhook_policy dev = { .allow_http = true, .allow = NULL };
    od_netlist loop;
    char err[64];
    od_webhook_url u;
    const char *why;

    CU_ASSERT_TRUE_FATAL(od_netlist_parse("127.0.0.1/32", &loop, err, sizeof(err)));
    dev.allow = &loop;
    url_is("https://hooks.example.com/odyssey", &strict, 443, NULL);
    url_is("https://hooks.example.com:8443/x?y=1", &strict, 8443, NULL);
    url_is("HTTPS://Hooks.Example.COM./a", &strict, 443, NULL);
    url_is("https://93.184.216.34/", &strict, 443, NULL);
    url_is("https://[2606:4700:4700::1111]:444/", &strict, 444, NULL);
    url_is("https://localhost/", &strict, 443, NULL);          /* names: at connect time */
    url_is("https://under_score.example/", &strict, 443, NULL);
    /* schemes */
    url_is("http://hooks.example.com/", &strict, 0, "https");
    url_is("ftp://hooks.example.com/", &strict, 0, "https");
    url_is("hooks.example.com/x", &strict, 0, "https");
    url_is("//hooks.example.com/x", &strict, 0, "https");
    url_is("javascript://x", &strict, 0, "https");
    url_is("http://hooks.example.com/", &dev, 80, NULL);
    /* user info, fragments, odd characters */
    url_is("https://user:pw@hooks.example.com/", &strict, 0, "user information");
    url_is("https://user@hooks.example.com/", &strict, 0, "user information");
    url_is("https://hooks.example.com@127.0.0.1/", &strict, 0, "user information");
    url_is("https://hooks.example.com/#frag", &strict, 0, "fragment");
    url_is("https://hooks.example.com/a b", &strict, 0, "printable");
    url_is("https://hooks.example.com\\@evil/", &strict, 0, "backslash");
    url_is("https://h\xc3\xa9.example/", &strict, 0, "printable");
    url_is("https://%31%32%37.0.0.1/", &strict, 0, "invalid host name");
    url_is("https:///path", &strict, 0, "host");
    url_is("https://", &strict, 0, "host");
    url_is("https://-..example/", &strict, 0, "invalid host name");
    url_is("", &strict, 0, "1 to 2048");
    /* ports */
    url_is("https://hooks.example.com:/", &strict, 0, "empty port");
    url_is("https://hooks.example.com:0/", &strict, 0, "port");
    url_is("https://hooks.example.com:65536/", &strict, 0, "port");
    url_is("https://hooks.example.com:123456/", &strict, 0, "port");
    url_is("https://hooks.example.com:44x/", &strict, 0, "port");
    url_is("https://hooks.example.com:65535/", &strict, 65535, NULL);
    /* IP literals in refused ranges, in every spelling */
    url_is("https://127.0.0.1/", &strict, 0, "loopback");
    url_is("https://127.0.0.1:9443/", &strict, 0, "loopback");
    url_is("https://2130706433/", &strict, 0, "loopback");
    url_is("http://2130706433/", &dev, 80, NULL);               /* allowed: it is 127.0.0.1 */
    url_is("https://0x7f.1/", &strict, 0, "loopback");
    url_is("https://017700000001/", &strict, 0, "loopback");
    url_is("https://127.1/", &strict, 0, "loopback");
    url_is("https://127.0.0.1./", &strict, 0, "loopback");
    url_is("https://10.0.0.1/", &strict, 0, "private");
    url_is("https://172.16.5.4/", &strict, 0, "private");
    url_is("https://192.168.1.1/", &strict, 0, "private");
    url_is("https://169.254.169.254/latest/meta-data/", &strict, 0, "metadata");
    url_is("https://169.254.1.1/", &strict, 0, "link-local");
    url_is("https://100.64.0.1/", &strict, 0, "CGNAT");
    url_is("https://0.0.0.0/", &strict, 0, "unspecified");
    url_is("https://0/", &strict, 0, "unspecified");
    url_is("https://224.0.0.1/", &strict, 0, "multicast");
    url_is("https://255.255.255.255/", &strict, 0, "reserved");
    url_is("https://[::1]/", &strict, 0, "loopback");
    url_is("https://[::]/", &strict, 0, "unspecified");
    url_is("https://[::ffff:127.0.0.1]/", &strict, 0, "loopback");
    url_is("https://[::ffff:a9fe:a9fe]/", &strict, 0, "metadata");
    url_is("https://[fd00::1]/", &strict, 0, "private");
    url_is("https://[fe80::1]/", &strict, 0, "link-local");
    url_is("https://[fe80::1%25eth0]/", &strict, 0, "IPv6");
    url_is("https://[64:ff9b::7f00:1]/", &strict, 0, "loopback");
    url_is("https://[2002:7f00:1::]/", &strict, 0, "loopback");
    url_is("https://[::1/", &strict, 0, "unterminated");
    url_is("https://[1.2.3.4]/", &strict, 0, "IPv6");
    url_is("https://[::1]x/", &strict, 0, "invalid host");
    /* a numeric last label that is no address is refused, not guessed */
    url_is("https://1.2.3.4.5/", &strict, 0, "ends in a number");
    url_is("https://example.123/", &strict, 0, "ends in a number");
    url_is("https://example.0x10/", &strict, 0, "ends in a number");
    url_is("https://4294967296/", &strict, 0, "ends in a number");
    url_is("https://123.example/", &strict, 443, NULL);
    /* the allow-list opens exactly what it names */
    url_is("http://127.0.0.1:8080/hook", &dev, 8080, NULL);
    url_is("http://127.0.0.2/", &dev, 0, "loopback");
    url_is("http://[::1]/", &dev, 0, "loopback");
    url_is("http://10.0.0.1/", &dev, 0, "private");
    /* the parts */
    CU_ASSERT_TRUE(od_webhook_url_check("https://0x7f.1:81/", &dev, &u, &why));
    CU_ASSERT_TRUE(u.literal && u.https && u.port == 81 && strcmp(u.host, "127.0.0.1") == 0);
    CU_ASSERT_TRUE(od_webhook_url_check("https://Hooks.Example.com./", &strict, &u, &why));
    CU_ASSERT_STRING_EQUAL(u.host, "hooks.example.com");
    CU_ASSERT_FALSE(u.literal);
}

static const od_unit_case cases[] = {
    { "IPv4 in every form inet_aton reads", test_ipv4_forms },
    { "IPv6 text", test_ipv6_forms },
    { "IPv4 ranges", test_ipv4_classes },
    { "IPv6 ranges and embedded IPv4", test_ipv6_classes },
    { "socket addresses", test_sockaddr },
    { "allow-lists", test_allow_lists },
    { "registration URLs", test_urls },
};

OD_UNIT_MAIN("netaddr", cases)
