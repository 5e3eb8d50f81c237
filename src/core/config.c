/* config.c: table-driven settings: one row per key gives its type, default, bounds
 * and help, so --help, docs/configuration.md and validation cannot drift apart. */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef OD_DATADIR
#define OD_DATADIR "/usr/local/share/odyssey"
#endif

#define OD_CONFIG_LINE_MAX 4096

typedef enum { K_STR, K_INT, K_LONG, K_OCTAL, K_LEVEL, K_PATH, K_CHOICE } key_type;

typedef struct key {
    const char *name;   /* without the ODYSSEY_ prefix */
    key_type type;
    size_t offset;      /* of the field in od_config */
    const char *def;    /* default, as text */
    long min, max;      /* bounds for numbers */
    const char *help;
} key;

#define F(field) offsetof(od_config, field)

static const key keys[] = {
    { "DATABASE_URL", K_STR, F(database_url), "", 0, 0,
      "PostgreSQL URL of the primary, as the application role" },
    { "REPLICA_URL", K_STR, F(replica_url), "", 0, 0,
      "PostgreSQL URL of a read replica for lists and search (empty: none)" },
    { "ADMIN_DATABASE_URL", K_STR, F(admin_database_url), "", 0, 0,
      "PostgreSQL URL as the owner role (odysseyctl migrate, vendor create)" },
    { "SOCKET", K_STR, F(socket), "/run/odyssey/api.sock", 0, 0,
      "FastCGI listen address: an absolute unix socket path or host:port" },
    { "SOCKET_MODE", K_OCTAL, F(socket_mode), "0660", 0, 0777,
      "permission bits of the unix socket (octal)" },
    { "WORKERS", K_INT, F(workers), "0", 0, 1024,
      "FastCGI worker processes (0: two per online CPU)" },
    { "MAX_REQUESTS", K_LONG, F(max_requests), "100000", 0, LONG_MAX,
      "requests a worker serves before it is recycled, each drawing 75-100 % of it (0: never)" },
    { "BODY_MAX", K_LONG, F(body_max), "16777216", 1024, 67108864L,
      "hard cap on a request body in bytes (larger bodies get 413)" },
    { "BULK_BODY_MAX", K_LONG, F(bulk_body_max), "33554432", 1024, 268435456L,
      "hard cap on the body of a batch endpoint (POST /api/v1/products), bytes" },
    { "SEARCH_CANDIDATES", K_INT, F(search_candidates), "500", 50, 100000,
      "matches ranked by a relevance search: the most recently updated ones" },
    { "VENDOR_PLANS", K_INT, F(vendor_plans), "128", 0, 100000,
      "vendor statements a worker keeps prepared (about 0.5 MB each in its database session)" },
    { "JWT_SECRET", K_STR, F(jwt_secret), "", 0, 0,
      "HS256 shared secret (secret; empty: HS256 disabled)" },
    { "JWT_ISSUER", K_STR, F(jwt_issuer), "", 0, 0,
      "expected iss claim (empty: not checked)" },
    { "JWT_AUDIENCE", K_STR, F(jwt_audience), "", 0, 0,
      "expected aud claim (empty: not checked)" },
    { "JWT_LEEWAY", K_INT, F(jwt_leeway), "60", 0, 3600,
      "seconds of clock skew allowed when checking exp and nbf" },
    { "JWT_PUBLIC_KEY_FILE", K_PATH, F(jwt_public_key_file), "", 0, 0,
      "PEM public key (BEGIN PUBLIC KEY) that verifies RS256 or ES256 tokens "
      "(empty: none)" },
    { "JWT_PUBLIC_KEY_ALG", K_CHOICE, F(jwt_public_key_alg), "RS256", 0, 0,
      "the one algorithm of that key: RS256 or ES256" },
    { "JWT_PUBLIC_KEY_KID", K_STR, F(jwt_public_key_kid), "", 0, 0,
      "kid of that key (empty: it verifies tokens without a kid)" },
    { "JWKS_FILE", K_PATH, F(jwks_file), "", 0, 0,
      "JWK set file ({\"keys\":[...]}) of RS256/ES256 keys chosen by kid (empty: none)" },
    { "JWKS_RELOAD_INTERVAL", K_INT, F(jwks_reload_interval), "60", 0, 86400,
      "seconds between looks for a changed JWKS file (0: at start and SIGHUP only)" },
    { "CURSOR_SECRET", K_STR, F(cursor_secret), "", 0, 0,
      "key that signs pagination cursors (secret; empty: a random one per start)" },
    { "STORAGE_DIR", K_STR, F(storage_dir), "/var/lib/odyssey/storage", 0, 0,
      "directory for uploads and generated files" },
    { "MASTER_KEY_FILE", K_STR, F(master_key_file), "/etc/odyssey/master.key", 0, 0,
      "file holding the master key that wraps data keys (secret)" },
    { "MIGRATIONS_DIR", K_STR, F(migrations_dir), OD_DATADIR "/sql", 0, 0,
      "directory of the numbered SQL migrations" },
    { "DB_CONNECT_TIMEOUT", K_INT, F(db_connect_timeout), "3", 1, 60,
      "seconds to wait for a database connection" },
    { "STATEMENT_TIMEOUT", K_INT, F(statement_timeout), "30000", 100, 3600000,
      "milliseconds a statement may run before it is cancelled" },
    { "RETRY_AFTER", K_INT, F(retry_after), "5", 1, 3600,
      "seconds sent in Retry-After when the database is unavailable" },
    { "SHUTDOWN_TIMEOUT", K_INT, F(shutdown_timeout), "30", 1, 3600,
      "seconds a draining worker may take before it is killed" },
    { "LOG_LEVEL", K_LEVEL, F(log_level), "info", 0, 0,
      "lowest level logged: debug, info, warn or error" },
    { "RUNNERS", K_INT, F(runners), "2", 1, 64,
      "queue daemon: concurrent job runners" },
    { "POLL_INTERVAL", K_INT, F(poll_interval), "1000", 50, 60000,
      "queue daemon: milliseconds between polls when no notification arrives" },
    { "QUEUE_LEASE", K_INT, F(queue_lease), "60", 3, 3600,
      "queue daemon: seconds a claimed job is leased; heartbeats extend it every third" },
    { "QUEUE_CAP", K_INT, F(queue_cap), "4", 1, 10000,
      "queue daemon: jobs of one vendor and kind that may run at once" },
    { "QUEUE_CAPS", K_STR, F(queue_caps), "webhook.deliver=64", 0, 0,
      "queue daemon: per-kind caps overriding QUEUE_CAP, e.g. webhook.deliver=8,noop=16 "
      "(the default lets one vendor's deliveries use every runner: docs/webhooks.md)" },
    { "QUEUE_BATCH", K_INT, F(queue_batch), "32", 1, 1000,
      "queue daemon: most jobs a runner claims at once (fewer for slow jobs)" },
    { "CLOCK_OFFSET", K_LONG, F(clock_offset), "0", -315360000L, 315360000L,
      "queue daemon: seconds added to its clock (a test and operations knob; SIGHUP)" },
    { "QUEUE_RETENTION", K_LONG, F(queue_retention), "604800", 60, 31536000L,
      "queue daemon: seconds finished jobs stay visible and dead ones replayable" },
    { "QUEUE_TEST_KINDS", K_INT, F(queue_test_kinds), "0", 0, 1,
      "queue daemon: 1 also runs the test kind test.sleep (test stacks only)" },
    { "WEBHOOK_ALLOW_HTTP", K_CHOICE, F(webhook_allow_http), "off", 0, 0,
      "on: webhook endpoints may use plain http URLs (development; off: https only)" },
    { "WEBHOOK_ALLOW_NETS", K_STR, F(webhook_allow_nets), "", 0, 0,
      "CIDR blocks webhooks may reach although refused (loopback, private, ...), "
      "comma-separated, e.g. 127.0.0.1/32 (empty: none)" },
    { "WEBHOOK_ROTATION_OVERLAP", K_INT, F(webhook_rotation_overlap), "86400", 0, 604800,
      "seconds a webhook endpoint's previous secret keeps signing after a rotation" },
    { "WEBHOOK_CONNECT_TIMEOUT", K_INT, F(webhook_connect_timeout), "5000", 100, 30000,
      "queue daemon: milliseconds to connect to a webhook receiver" },
    { "WEBHOOK_TIMEOUT", K_INT, F(webhook_timeout), "15000", 100, 50000,
      "queue daemon: milliseconds one webhook delivery attempt may take in all (at "
      "most 50 s: the delivery's lease is 60 s)" },
    { "WEBHOOK_DISABLE_AFTER", K_INT, F(webhook_disable_after), "432000", 60, 2592000,
      "queue daemon: seconds an endpoint may fail without a success before it is "
      "disabled (5 days)" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* The accepted values of each K_CHOICE key, "|"-separated. */
static const struct {
    size_t offset;       /* of the field in od_config */
    const char *values;
} choices[] = {
    { F(jwt_public_key_alg), "RS256|ES256" },
    { F(webhook_allow_http), "off|on" },
};

void
od_config_free(od_config *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].type == K_STR || keys[i].type == K_PATH || keys[i].type == K_CHOICE) {
            char **p = (char **)((char *)c + keys[i].offset);

            free(*p);
            *p = NULL;
        }
    }
}

static int
parse_long(const char *s, int base, long *out)
{
    char *end;
    long v;

    if (*s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Returns the "|"-separated values accepted by the K_CHOICE key k. */
static const char *
choices_of(const key *k)
{
    for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
        if (choices[i].offset == k->offset)
            return choices[i].values;
    }
    return "";
}

/* Returns 1 when value is one of the "|"-separated values, else 0. */
static int
is_choice(const char *values, const char *value)
{
    size_t n = strlen(value);
    const char *p = values;

    while (n > 0 && p != NULL) {
        if (strncmp(p, value, n) == 0 && (p[n] == '|' || p[n] == '\0'))
            return 1;
        p = strchr(p, '|');
        if (p != NULL)
            p++;
    }
    return 0;
}

/* Stores value into the field of k. Returns 0, or -1 with err filled. */
static int
set_value(od_config *c, const key *k, const char *value, const char *origin,
          char *err, size_t errlen)
{
    char *field = (char *)c + k->offset;
    long v;

    if (k->type == K_PATH && value[0] != '\0' && value[0] != '/') {
        snprintf(err, errlen, "ODYSSEY_%s (%s): expected an absolute path or nothing, "
                 "got \"%s\"", k->name, origin, value);
        return -1;
    }
    if (k->type == K_CHOICE && !is_choice(choices_of(k), value)) {
        snprintf(err, errlen, "ODYSSEY_%s (%s): expected one of %s, got \"%s\"", k->name,
                 origin, choices_of(k), value);
        return -1;
    }
    switch (k->type) {
    case K_STR:
    case K_PATH:
    case K_CHOICE: {
        char *d = strdup(value);

        if (d == NULL) {
            snprintf(err, errlen, "ODYSSEY_%s: out of memory", k->name);
            return -1;
        }
        free(*(char **)field);
        *(char **)field = d;
        return 0;
    }
    case K_LEVEL:
        if (od_log_level_parse(value, (od_log_level *)field) != 0) {
            snprintf(err, errlen, "ODYSSEY_%s (%s): expected debug, info, warn or "
                     "error, got \"%s\"", k->name, origin, value);
            return -1;
        }
        return 0;
    case K_INT:
    case K_LONG:
    case K_OCTAL:
        if (parse_long(value, k->type == K_OCTAL ? 8 : 10, &v) != 0 || v < k->min ||
            v > k->max) {
            if (k->type == K_OCTAL)
                snprintf(err, errlen, "ODYSSEY_%s (%s): expected octal permission "
                         "bits such as 0660, got \"%s\"", k->name, origin, value);
            else
                snprintf(err, errlen, "ODYSSEY_%s (%s): expected an integer from %ld "
                         "to %ld, got \"%s\"", k->name, origin, k->min, k->max, value);
            return -1;
        }
        if (k->type == K_LONG)
            *(long *)field = v;
        else
            *(int *)field = (int)v;
        return 0;
    }
    return -1;
}

static const key *
find_key(const char *name, size_t len)
{
    if (len < 8 || strncmp(name, "ODYSSEY_", 8) != 0)
        return NULL;
    for (size_t i = 0; i < NKEYS; i++) {
        if (strlen(keys[i].name) == len - 8 && strncmp(keys[i].name, name + 8, len - 8) == 0)
            return &keys[i];
    }
    return NULL;
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int
load_file(od_config *c, const char *path, char *err, size_t errlen)
{
    char line[OD_CONFIG_LINE_MAX];
    char origin[64];
    int lineno = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        snprintf(err, errlen, "ODYSSEY_CONFIG: cannot open \"%s\": %s", path,
                 strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *s, *eq, *name, *value;
        const key *k;
        size_t vlen;

        lineno++;
        s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected KEY=value", path, lineno);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        name = trim(s);
        value = trim(eq + 1);
        vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value[vlen - 1] = '\0';
            value++;
        }
        k = find_key(name, strlen(name));
        if (k == NULL) {
            snprintf(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno, name);
            fclose(f);
            return -1;
        }
        snprintf(origin, sizeof(origin), "line %d of the config file", lineno);
        if (set_value(c, k, value, origin, err, errlen) != 0) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

od_rc
od_config_load(od_config *c, char *const *envp, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NKEYS; i++) {
        if (set_value(c, &keys[i], keys[i].def, "default", err, errlen) != 0)
            goto fail;
    }
    for (char *const *e = envp; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, "ODYSSEY_CONFIG=", 15) == 0 && (*e)[15] != '\0' &&
            load_file(c, *e + 15, err, errlen) != 0)
            goto fail;
    }
    for (char *const *e = envp; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        const key *k;

        if (eq == NULL)
            continue;
        /* Other ODYSSEY_ variables (ODYSSEY_URL, tokens of the dev shell) are not
         * settings of these programs and are left alone. */
        k = find_key(*e, (size_t)(eq - *e));
        if (k != NULL && set_value(c, k, eq + 1, "environment", err, errlen) != 0)
            goto fail;
    }
    if (od_config_caps_check(c->queue_caps, err, errlen) != 0)
        goto fail;
    if (c->socket[0] != '/' && strchr(c->socket, ':') == NULL) {
        snprintf(err, errlen, "ODYSSEY_SOCKET: expected an absolute unix socket path "
                 "or host:port, got \"%s\"", c->socket);
        goto fail;
    }
    return OD_OK;
fail:
    od_config_free(c);
    return OD_EINVAL;
}

void
od_config_usage(FILE *out)
{
    fprintf(out, "Settings (environment, or KEY=value lines in the file named by "
            "ODYSSEY_CONFIG; the environment wins):\n");
    for (size_t i = 0; i < NKEYS; i++)
        fprintf(out, "  ODYSSEY_%-20s default \"%s\"\n      %s\n", keys[i].name,
                keys[i].def, keys[i].help);
}

/* Reads the entry of caps at p ("kind=n" up to ',' or the end): the kind's span in
 * name and namelen and n in cap. Returns the position after the entry (past a ','),
 * or NULL when the entry is malformed. */
static const char *
cap_entry(const char *p, const char **name, size_t *namelen, long *cap)
{
    const char *eq = p, *end;
    char digits[8];
    size_t n;

    while (*eq != '\0' && *eq != '=' && *eq != ',')
        eq++;
    if (*eq != '=' || eq == p || eq - p > 64 || !(p[0] >= 'a' && p[0] <= 'z'))
        return NULL;
    for (const char *q = p; q < eq; q++) {
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '.'))
            return NULL;
    }
    end = eq + 1;
    while (*end != '\0' && *end != ',')
        end++;
    n = (size_t)(end - eq - 1);
    if (n == 0 || n >= sizeof(digits))
        return NULL;
    memcpy(digits, eq + 1, n);
    digits[n] = '\0';
    if (parse_long(digits, 10, cap) != 0 || *cap < 1 || *cap > 10000)
        return NULL;
    *name = p;
    *namelen = (size_t)(eq - p);
    return *end == ',' ? end + 1 : end;
}

int
od_config_caps_check(const char *caps, char *err, size_t errlen)
{
    const char *p = caps, *name;
    size_t len;
    long cap;

    while (*p != '\0') {
        const char *next = cap_entry(p, &name, &len, &cap);

        if (next == NULL || (*next == '\0' && next[-1] == ',')) {
            snprintf(err, errlen, "ODYSSEY_QUEUE_CAPS: expected kind=n entries separated "
                     "by commas (n from 1 to 10000), got \"%s\"", caps);
            return -1;
        }
        p = next;
    }
    return 0;
}

int
od_config_kind_cap(const od_config *c, const char *kind)
{
    const char *p = c->queue_caps, *name;
    size_t len;
    long cap;

    while (p != NULL && *p != '\0') {
        p = cap_entry(p, &name, &len, &cap);
        if (p != NULL && strlen(kind) == len && strncmp(kind, name, len) == 0)
            return (int)cap;
    }
    return c->queue_cap;
}

int
od_config_worker_count(const od_config *c)
{
    long n;

    if (c->workers > 0)
        return c->workers;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(2 * n) : 2;
}
