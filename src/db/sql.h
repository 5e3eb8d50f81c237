/* sql.h: one-shot statements that lists build per request from the filters
 * present. The text grows in a capped buffer; every value is a parameter, never
 * part of the text; the statement is not prepared, so the planner sees the real
 * values each time (docs/catalog.md). */
#ifndef OD_DB_SQL_H
#define OD_DB_SQL_H

#include <stdbool.h>

#include "core/buf.h"
#include "db/db.h"

#define OD_SQL_PARAMS 16

typedef struct od_sql {
    od_buf sql;                            /* the text so far */
    const char *params[OD_SQL_PARAMS];   /* borrowed values, $1.. */
    int n;                                 /* parameters so far */
    bool overflow;                         /* more than OD_SQL_PARAMS were added */
} od_sql;

/* Starts an empty statement. */
void od_sql_init(od_sql *q);

/* Adds value (borrowed until od_sql_run) as the next parameter and returns its
 * number, for "$%d" in the text. */
int od_sql_param(od_sql *q, const char *value);

/* Appends the full-text query of text in the text search configuration config (a
 * constant such as "english"; text is websearch_to_tsquery syntax), with
 * prefix_word (letters and digits, or NULL) also matched as a prefix, as the
 * one-row relation "tsq(q)". */
void od_sql_tsquery(od_sql *q, const char *config, const char *text,
                      const char *prefix_word);

/* True when text is plain words for websearch_to_tsquery: ASCII letters, digits
 * and spaces, without the operator "or" (no quotes, no exclusions): the full-text
 * query is then the AND of the words' lexemes. The empty text is plain. */
bool od_sql_plain_words(const char *text);

/* Runs the statement, a plain read (a list: it runs read_only, db/db.h), and
 * releases its text. Returns od_db_exec codes, or OD_ENOMEM when the text could not
 * be built. */
od_rc od_sql_run(od_db *db, od_arena *a, od_sql *q, PGresult **res);

#endif
