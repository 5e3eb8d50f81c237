/* vendors.h: queries on the vendors table (the current vendor, under RLS). */
#ifndef OD_DB_VENDORS_H
#define OD_DB_VENDORS_H

#include "core/arena.h"
#include "db/db.h"

/* Loads vendor id as one JSON object text into *json (arena-owned): id, name,
 * status, settings, catalog_version, created_at, updated_at. Returns OD_OK,
 * OD_ENOTFOUND, or od_db_exec codes with *res the error result for OD_EDB. */
od_rc od_vendors_get_json(od_db *db, od_arena *a, const char *id, const char **json,
                          PGresult **res);

/* Changes the name and/or status (NULL: unchanged) and merges settings_patch (a
 * JSON object text, or NULL) into the settings; *json is the vendor after. */
od_rc od_vendors_update_json(od_db *db, od_arena *a, const char *id, const char *name,
                             const char *settings_patch, const char *status,
                             const char **json, PGresult **res);

#endif
