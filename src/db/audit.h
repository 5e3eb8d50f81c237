/* audit.h: the one writer of audit_log. Callers pass the entry; a change's entry is
 * inserted in the caller's current transaction, so the record commits or rolls back
 * with the change it describes. An access's entry (a read of health data, a
 * refusal, a break-glass entry) written before the request has opened its
 * transaction commits on its own at once, so the access stays recorded whatever the
 * request does next. Never put secrets or health values in before/after. */
#ifndef OD_DB_AUDIT_H
#define OD_DB_AUDIT_H

#include "core/arena.h"
#include "db/db.h"

typedef struct od_audit_entry {
    const char *actor_user_id;  /* NULL for the system */
    const char *actor_role;     /* od_role name, or "system" */
    const char *vendor_id;      /* NULL for platform-wide actions */
    const char *action;         /* create, update, delete, read, deny, reveal, break_glass */
    const char *entity;         /* the table name: user_links, vendors, ... */
    const char *entity_id;      /* NULL when none */
    const char *before_json;    /* JSON text or NULL */
    const char *after_json;     /* JSON text or NULL */
    const char *ip;             /* the client address nginx saw (REMOTE_ADDR) */
    const char *user_agent;
    const char *request_id;
    const char *justification;  /* break-glass justification, or NULL */
} od_audit_entry;

/* Inserts e, a change's entry. Returns od_db_exec codes; *res is the error result
 * for OD_EDB. */
od_rc od_audit_write(od_db *db, od_arena *a, const od_audit_entry *e, PGresult **res);

/* Queues the insert of e, a change's entry, to go out with db's next statement, in
 * its transaction (od_db_defer): the next statement's failure may be this one's.
 * Returns OD_OK, OD_ENOMEM or OD_EINVAL (the queue is full). */
od_rc od_audit_defer(od_db *db, od_arena *a, const od_audit_entry *e);

/* As od_audit_defer for e, an access's entry: in front of a statement that runs in
 * a transaction of its own (db/db.h), it goes in that transaction. */
od_rc od_audit_defer_access(od_db *db, od_arena *a, const od_audit_entry *e);

/* Inserts e, an access's entry: on its own when the request's transaction has not
 * begun (db/db.h, stands_alone), else in it. Returns as od_audit_write. */
od_rc od_audit_write_access(od_db *db, od_arena *a, const od_audit_entry *e,
                            PGresult **res);

/* Filters of an audit listing; NULL members are not applied. */
typedef struct od_audit_filter {
    const char *entity, *entity_id, *actor, *action;
    const char *from, *to;        /* timestamps (inclusive from, exclusive to) */
    const char *after_ts;         /* keyset: rows strictly older than (after_ts, after_id) */
    const char *after_id;
    int limit;                    /* rows wanted (the caller asks for one more) */
} od_audit_filter;

/* Lists the current vendor's audit rows, newest first, as JSON object texts in
 * column 0, with the keyset values (timestamp text, id) in columns 1 and 2.
 * Returns od_db_exec codes; *res holds the rows. */
od_rc od_audit_list(od_db *db, od_arena *a, const char *vendor_id, const od_audit_filter *f,
                    PGresult **res);

#endif
