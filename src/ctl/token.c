/* token.c: odysseyctl token: mints an HS256 token with the configured secret (for
 * development and tests; production tokens come from the identity provider). */
#include "ctl/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "auth/jwt.h"

int
od_ctl_token(const od_config *cfg, int argc, char **argv)
{
    const char *user = od_ctl_opt(argc, argv, "--user");
    const char *ttl_text = od_ctl_opt(argc, argv, "--ttl");
    long ttl = 3600;
    char *token, *end;

    if (od_ctl_wants_help(argc, argv) || user == NULL) {
        printf("usage: odysseyctl token --user ID [--ttl SECONDS]\n\nPrints an HS256 "
               "token for user ID signed with ODYSSEY_JWT_SECRET (with\nODYSSEY_JWT_ISSUER "
               "and ODYSSEY_JWT_AUDIENCE when set), valid for SECONDS\n(default 3600).\n");
        return od_ctl_wants_help(argc, argv) ? 0 : 2;
    }
    if (ttl_text != NULL) {
        errno = 0;
        ttl = strtol(ttl_text, &end, 10);
        if (errno != 0 || *end != '\0' || ttl <= 0 || ttl > 366L * 24 * 3600) {
            fprintf(stderr, "odysseyctl: --ttl: expected 1 to 31622400 seconds\n");
            return 2;
        }
    }
    if (cfg->jwt_secret[0] == '\0') {
        fprintf(stderr, "odysseyctl: ODYSSEY_JWT_SECRET is not set: refusing to mint a "
                "token\n");
        return 1;
    }
    if (od_jwt_mint_hs256(cfg->jwt_secret, user, cfg->jwt_issuer, cfg->jwt_audience, ttl,
                          time(NULL), &token) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot mint the token\n");
        return 1;
    }
    printf("%s\n", token);
    free(token);
    return 0;
}
