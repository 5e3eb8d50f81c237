/* schema.h: what the connected database has applied (schema_migrations). */
#ifndef OD_DB_SCHEMA_H
#define OD_DB_SCHEMA_H

#include "core/arena.h"
#include "db/db.h"
#include "db/migrate.h"

/* Compares the database's schema_migrations with set into *st. Returns the
 * od_db_exec codes; *res is the error result for OD_EDB. */
od_rc od_schema_status(od_db *db, od_arena *a, const od_migration_set *set,
                       od_migration_status *st, PGresult **res);

#endif
