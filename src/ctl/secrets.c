/* secrets.c: odysseyctl secrets put|reveal: an operator stores a vendor secret
 * (read from standard input, never from the command line) or reveals one; both go
 * through the envelope module, and a reveal is audited as such. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/arena.h"
#include "crypto/masterkey.h"
#include "crypto/secrets.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/secrets_store.h"

#define OD_SECRET_INPUT_MAX 65536

static int
usage(int code)
{
    printf("usage: odysseyctl secrets put --vendor VENDOR_ID --purpose PURPOSE < value\n"
           "       odysseyctl secrets reveal --vendor VENDOR_ID --id SECRET_ID\n\n"
           "put: encrypts the value read from standard input (a trailing newline is\n"
           "dropped) under a fresh data key wrapped by the active master key, stores it\n"
           "and prints its id. PURPOSE is webhook or connector.\n"
           "reveal: prints the value; the reveal is audited.\n");
    return code;
}

/* The additional data that binds a ciphertext to its vendor and purpose. */
static char *
context(od_arena *a, const char *vendor, const char *purpose)
{
    return od_arena_printf(a, "vendor:%s/purpose:%s", vendor, purpose);
}

static int
put(od_db *db, od_arena *a, const od_kms *kms, const char *vendor, const char *purpose)
{
    char buf[OD_SECRET_INPUT_MAX + 1];
    size_t n = fread(buf, 1, sizeof(buf), stdin);
    const char *aad = context(a, vendor, purpose), *id, *why = NULL;
    od_envelope env;
    PGresult *res = NULL;
    od_audit_entry e = { .actor_role = "system", .vendor_id = vendor, .action = "create",
                         .entity = "secrets", .user_agent = "odysseyctl" };
    int code = 1;

    if (n > OD_SECRET_INPUT_MAX || n == 0) {
        fprintf(stderr, "odysseyctl: the value must be 1 to %d bytes on standard input\n",
                OD_SECRET_INPUT_MAX);
        return 2;
    }
    if (buf[n - 1] == '\n')
        n--;
    if (od_secret_seal(kms, a, aad, strlen(aad), buf, n, &env, &why) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot encrypt: %s\n", why ? why : "failed");
        goto done;
    }
    if (od_db_command(db, "BEGIN") != OD_OK ||
        od_secrets_store_insert(db, a, vendor, purpose, &env, &id, &res) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot store the secret (SQLSTATE %s)\n", od_db_sqlstate(res));
        od_db_command(db, "ROLLBACK");
        goto done;
    }
    e.entity_id = id;
    if (od_audit_write(db, a, &e, &res) != OD_OK || od_db_command(db, "COMMIT") != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot record the secret\n");
        od_db_command(db, "ROLLBACK");
        goto done;
    }
    printf("%s\n", id);
    code = 0;
done:
    OPENSSL_cleanse(buf, sizeof(buf));
    return code;
}

static int
reveal(od_db *db, od_arena *a, const od_kms *kms, const char *vendor, const char *id)
{
    od_audit_entry who = { .actor_role = "system", .action = "reveal", .user_agent = "odysseyctl" };
    const char *purpose = NULL, *why = NULL, *aad;
    unsigned char *value;
    size_t len;
    od_envelope env;
    PGresult *res = NULL;
    od_rc rc;

    if (od_db_command(db, "BEGIN") != OD_OK)
        return 1;
    rc = od_secrets_store_read(db, a, vendor, id, &who, &env, &purpose, &res);
    if (rc != OD_OK || od_db_command(db, "COMMIT") != OD_OK) {
        od_db_command(db, "ROLLBACK");
        fprintf(stderr, "odysseyctl: %s\n", rc == OD_ENOTFOUND ? "no such secret for that vendor"
                                                               : "cannot read the secret");
        return 1;
    }
    aad = context(a, vendor, purpose);
    if (od_secret_open(kms, a, aad, strlen(aad), &env, &value, &len, &why) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot decrypt: %s\n", why ? why : "failed");
        return 1;
    }
    fwrite(value, 1, len, stdout);
    fputc('\n', stdout);
    return 0;
}

int
od_ctl_secrets(const od_config *cfg, int argc, char **argv)
{
    const char *vendor = od_ctl_opt(argc - 1, argv + 1, "--vendor");
    const char *purpose = od_ctl_opt(argc - 1, argv + 1, "--purpose");
    const char *id = od_ctl_opt(argc - 1, argv + 1, "--id");
    bool is_put = argc >= 2 && strcmp(argv[1], "put") == 0;
    bool is_reveal = argc >= 2 && strcmp(argv[1], "reveal") == 0;
    od_masterkeys *mk = NULL;
    od_kms kms;
    od_arena *a;
    od_db *db;
    char err[512], warn[512] = "";
    int code;

    if (od_ctl_wants_help(argc, argv))
        return usage(0);
    if (vendor == NULL || (!is_put && !is_reveal) || (is_put && purpose == NULL) ||
        (is_reveal && id == NULL))
        return usage(2);
    if (cfg->admin_database_url[0] == '\0') {
        fprintf(stderr, "odysseyctl: ODYSSEY_ADMIN_DATABASE_URL: required, not set\n");
        return 1;
    }
    if (od_masterkey_load(cfg->master_key_file, &mk, err, sizeof(err), warn, sizeof(warn)) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s\n", err);
        return 1;
    }
    if (warn[0] != '\0')
        fprintf(stderr, "odysseyctl: warning: %s\n", warn);
    od_masterkey_kms(mk, &kms);
    a = od_arena_create(0);
    db = od_db_open(cfg->admin_database_url, "odysseyctl", cfg, false);
    if (a == NULL || db == NULL || od_db_ready(db) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot connect to the database\n");
        code = 1;
    } else {
        code = is_put ? put(db, a, &kms, vendor, purpose) : reveal(db, a, &kms, vendor, id);
    }
    od_db_close(db);
    od_arena_destroy(a);  /* wipes a revealed value */
    od_masterkey_free(mk);
    return code;
}
