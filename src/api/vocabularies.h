/* vocabularies.h: the words a vendor may use (db/vocabulary.h), kept per process
 * under the vocabulary's version (migration 029), which a request reads with its
 * first statement: the same version uses the kept copy, any other reads the words
 * again. A change to the taxonomy, the synonyms or the diet rules bumps the version
 * in its own transaction, so the next request of every worker sees it. */
#ifndef OD_API_VOCABULARIES_H
#define OD_API_VOCABULARIES_H

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/vocab.h"

/* Sets *out to vendor_id's words of the kinds in kinds (the vendor of the request's
 * context): the process's copy when it was read at version, else read now and, when
 * version is not NULL, kept (a copy is trusted only on the connection it was read
 * on). The vocabulary is valid until a is reset: a copy replaced meanwhile is
 * destroyed with a (made for one call a request; out of memory, at once). Returns OD_OK, OD_ENOMEM, or od_db_exec
 * codes with *res the error result. */
od_rc od_vocabularies_get(od_db *db, od_arena *a, const char *vendor_id, unsigned kinds,
                          const char *version, const od_vocab **out, PGresult **res);

#endif
