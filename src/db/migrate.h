/* migrate.h: the numbered migrations of sql/: loading them with their SHA-256
 * checksums, applying the pending ones (each in its own transaction, recorded in
 * schema_migrations) and comparing what a database has applied with the files. */
#ifndef OD_MIGRATE_H
#define OD_MIGRATE_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "core/status.h"

typedef struct od_migration {
    char version[16];    /* the leading digits of the file name, e.g. "003" */
    char name[256];      /* the file name, e.g. "003_catalog.sql" */
    char checksum[65];   /* hex SHA-256 of the file's bytes */
} od_migration;

typedef struct od_migration_set {
    char *dir;            /* owned */
    od_migration *items;  /* owned, sorted by version */
    size_t n;
} od_migration_set;

/* What a database has applied compared with a set of files. */
typedef struct od_migration_status {
    size_t applied;   /* files applied with a matching checksum */
    size_t pending;   /* files not applied yet */
    size_t changed;   /* applied files whose checksum differs now */
    size_t missing;   /* applied versions with no file */
} od_migration_status;

/* Loads every NNN_name.sql of dir. Returns OD_OK, or OD_EINVAL/OD_EIO with a
 * message in err (duplicate version, unreadable file). Caller frees with
 * od_migrations_free. */
od_rc od_migrations_load(const char *dir, od_migration_set *set, char *err, size_t errlen);

void od_migrations_free(od_migration_set *set);

/* Compares applied (version, checksum) pairs, as text arrays of n rows, with set. */
void od_migrations_compare(const od_migration_set *set, const char *const *versions,
                           const char *const *checksums, size_t n, od_migration_status *st);

/* Compares a result whose rows are (version, checksum) with set. Returns OD_OK,
 * or OD_ENOMEM. */
od_rc od_migrations_compare_result(const od_migration_set *set, const PGresult *res,
                                   od_migration_status *st);

/* Applies the pending migrations of set on conn (the owner role), reporting each
 * on out. Refuses, changing nothing, when an applied file changed or vanished.
 * Returns OD_OK, OD_EINVAL (refused) or OD_EDB (a migration failed and was rolled
 * back); the reason is in err. */
od_rc od_migrations_apply(PGconn *conn, const od_migration_set *set, FILE *out,
                          char *err, size_t errlen);

#endif
