/* config.h: the ODYSSEY_* settings shared by the three programs. Values come from
 * built-in defaults, then an optional file (ODYSSEY_CONFIG, KEY=value lines with the
 * same keys), then the environment, which wins. A bad value stops start-up with a
 * message that names the key. */
#ifndef OD_CONFIG_H
#define OD_CONFIG_H

#include <stdio.h>

#include "core/log.h"
#include "core/status.h"

typedef struct od_config {
    char *database_url;        /* primary, as the application role */
    char *replica_url;         /* read replica for lists and search; "" = none */
    char *admin_database_url;  /* owner role: odysseyctl migrate / vendor create */
    char *socket;              /* FastCGI listen address: /unix/path or host:port */
    int socket_mode;           /* permission bits of a unix socket */
    int workers;               /* pool size; 0 = 2 x online CPUs */
    long max_requests;         /* a worker is recycled after this many; 0 = never */
    long body_max;             /* hard cap on a request body, bytes */
    long bulk_body_max;        /* the same for batch endpoints (OD_ROUTE_BULK) */
    int search_candidates;     /* matches a relevance search ranks */
    int vendor_plans;          /* vendor statements a process keeps prepared */
    char *jwt_secret;          /* HS256 shared secret; "" = HS256 disabled */
    char *jwt_issuer;          /* expected iss; "" = not checked */
    char *jwt_audience;        /* expected aud; "" = not checked */
    int jwt_leeway;            /* seconds of clock skew allowed on exp/nbf */
    char *jwt_public_key_file; /* PEM public key for RS256/ES256; "" = none */
    char *jwt_public_key_alg;  /* its one algorithm: "RS256" or "ES256" */
    char *jwt_public_key_kid;  /* its kid; "" = it verifies tokens without a kid */
    char *jwks_file;           /* JWK set of keys chosen by kid; "" = none */
    int jwks_reload_interval;  /* seconds between looks for a changed JWKS; 0 = never */
    char *storage_dir;         /* uploads and generated files */
    char *master_key_file;     /* key that wraps data keys (envelope encryption) */
    char *cursor_secret;       /* HMAC key of pagination cursors; "" = random per start */
    char *migrations_dir;      /* numbered sql/ files */
    int db_connect_timeout;    /* seconds */
    int statement_timeout;     /* milliseconds, server side; also bounds the client wait */
    int retry_after;           /* seconds, sent with 503 problems */
    int shutdown_timeout;      /* seconds a draining worker gets before SIGKILL */
    od_log_level log_level;
    int runners;               /* queue daemon: concurrent job runners */
    int poll_interval;         /* queue daemon: polling fallback, milliseconds */
    int queue_lease;           /* queue daemon: lease of a claimed job, seconds (a kind's
                                * own lease wins); heartbeats every third of it */
    int queue_cap;             /* jobs of one vendor and kind running at once */
    char *queue_caps;          /* per-kind caps: "kind=n,kind=n" ("" = none) */
    int queue_batch;           /* most jobs a runner claims at once */
    long clock_offset;         /* seconds added to the daemon's clock (tests, ops) */
    long queue_retention;      /* seconds finished jobs stay visible (and dead ones
                                * replayable) before they are purged */
    int queue_test_kinds;      /* 1: the daemon also runs the test kinds (test.sleep) */
    char *webhook_allow_http;  /* "on": webhook URLs may use plain http */
    char *webhook_allow_nets;  /* CIDR blocks webhooks may reach although refused */
    int webhook_rotation_overlap; /* seconds the previous secret still signs */
    int webhook_connect_timeout;  /* milliseconds to connect to a receiver */
    int webhook_timeout;       /* milliseconds a delivery attempt may take in all */
    int webhook_disable_after; /* seconds of failing before an endpoint is disabled */
} od_config;

/* Loads defaults, the file named by ODYSSEY_CONFIG in envp (if any) and the
 * ODYSSEY_* variables of envp (a NULL-terminated "KEY=value" array such as environ).
 * On failure returns OD_EINVAL with a message naming the key in err, and c holds
 * nothing to free. On success the caller frees with od_config_free. */
od_rc od_config_load(od_config *c, char *const *envp, char *err, size_t errlen);

/* Releases the strings of c. */
void od_config_free(od_config *c);

/* Writes every key with its default and meaning, one per line, for --help. */
void od_config_usage(FILE *out);

/* The cap on running jobs of one vendor for kind: its entry in queue_caps, else
 * queue_cap. */
int od_config_kind_cap(const od_config *c, const char *kind);

/* Checks a queue_caps value ("kind=n,kind=n", kinds as job kinds are named, n from
 * 1 to 10000; "" is valid). Returns 0, or -1 with a message in err. Pure. */
int od_config_caps_check(const char *caps, char *err, size_t errlen);

/* Number of workers to run: c->workers, or 2 x online CPUs when it is 0. */
int od_config_worker_count(const od_config *c);

#endif
