/* sql.c: building and running one-shot list statements. */
#include "db/sql.h"

#include <string.h>

#define OD_SQL_TEXT_MAX 8192

void
od_sql_init(od_sql *q)
{
    memset(q, 0, sizeof(*q));
    od_buf_init(&q->sql, OD_SQL_TEXT_MAX);
}

int
od_sql_param(od_sql *q, const char *value)
{
    if (q->n == OD_SQL_PARAMS) {
        q->overflow = true;
        return q->n;
    }
    q->params[q->n] = value;
    return ++q->n;
}

void
od_sql_tsquery(od_sql *q, const char *config, const char *text, const char *prefix_word)
{
    int n = od_sql_param(q, text);

    if (prefix_word == NULL) {
        od_buf_printf(&q->sql, "(SELECT websearch_to_tsquery('%s', $%d) AS q) tsq", config, n);
    } else {
        int w = od_sql_param(q, prefix_word);

        od_buf_printf(&q->sql, "(SELECT websearch_to_tsquery('%s', $%d) && "
                      "to_tsquery('%s', $%d || ':*') AS q) tsq", config, n, config, w);
    }
}

bool
od_sql_plain_words(const char *text)
{
    const char *w = text;

    for (const char *c = text;; c++) {
        if (*c == ' ' || *c == '\0') {
            if (c - w == 2 && (w[0] == 'o' || w[0] == 'O') && (w[1] == 'r' || w[1] == 'R'))
                return false;
            if (*c == '\0')
                return true;
            w = c + 1;
        } else if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9'))) {
            return false;
        }
    }
}

od_rc
od_sql_run(od_db *db, od_arena *a, od_sql *q, PGresult **res)
{
    od_stmt st = { .name = NULL, .idempotent = true, .read_only = true, .nparams = q->n };

    if (q->sql.failed == OD_OK && !q->overflow)
        st.sql = od_arena_strndup(a, q->sql.data, q->sql.len);
    od_buf_free(&q->sql);
    if (st.sql == NULL)
        return OD_ENOMEM;
    return od_db_exec(db, a, &st, q->params, res);
}
