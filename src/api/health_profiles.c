/* health_profiles.c: /api/v1/customers/:id/health. The minimum necessary: only
 * health.read / health.write (operators and admins) get here, a viewer's attempt is
 * refused and audited by the route table, and every read and write is audited with
 * the customer id (reads: who and when, no values; writes: the changed fields'
 * values before and after). Writes need a granted health_data consent when the
 * vendor's require_health_consent is on. Derivations run in C (domain/health.c) on
 * every write, and again on a read when the diet rules in force are not the ones
 * the stored derivation used (docs/health.md). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/health_policies.h"
#include "api/handlers.h"
#include "api/writes.h"
#include "core/json.h"
#include "http/problem.h"
#include "db/health_profiles.h"
#include "db/vocabulary.h"
#include "domain/customer.h"
#include "domain/health.h"
#include "domain/profile.h"

#define ENTITY "customer_health_profiles"

/* What od_health_load found, parsed. */
typedef struct loaded {
    const char *customer;        /* canonical id */
    od_profile_ctx ctx;          /* the customer's age and gender; vocabulary filled later */
    const char *profile_text;    /* the stored document as the database wrote it, or NULL */
    json_object *profile;        /* the same, parsed (arena-owned); for a write without
                                  * derived_limits, which stays text: */
    const char *derived_text;    /* its text in profile_text (not NUL-terminated); NULL
                                  * without a profile */
    size_t derived_len;
    const char *derived_digest;  /* the digest its writer stored, or NULL (unknown) */
    bool consent_needed;
    bool consented;
    const char *policy_stamp;    /* the rules in force when loaded (api/health_policies.h) */
    const char *derived_stamp;   /* the rules the profile was derived under, or NULL */
    const char *vocab_version;   /* the vocabulary's (api/vocabularies.h) */
} loaded;

/* Parses the stored profile, if there is one, into l->profile (arena-owned); for a
 * write (cut) without derived_limits, whose text goes to l->derived_text: the audit
 * row takes it as it is and its digest tells whether it changed, where parsing it
 * was most of a write's work in the worker. The database's document always has the
 * member (PROFILE_JSON, db/health_profiles.c). False after answering. */
static bool
parse_profile(od_request *r, loaded *l, bool cut)
{
    const char *text = l->profile_text, *why;
    char *rest;
    size_t off, len;

    if (l->profile != NULL || text == NULL)
        return true;
    len = strlen(text);
    if (cut) {
        if (!od_json_cut_member(r->arena, text, len, "derived_limits", &rest,
                                &l->derived_text, &l->derived_len)) {
            od_resp_problem(r, 500, NULL, "the server failed to answer");
            return false;
        }
        text = rest;
        len = strlen(rest);
    }
    if (od_json_parse(text, len, &l->profile, &off, &why) != OD_OK || l->profile == NULL ||
        od_json_own(r->arena, l->profile) == NULL) {
        l->profile = NULL;
        od_resp_problem(r, 500, NULL, "the server failed to answer");
        return false;
    }
    return true;
}

/* Loads the customer and its profile: for a write under the customer's lock (lock),
 * parsed; else for a read, whose audit row goes out in front of the load, in its
 * round trip and transaction. Answers 404 or the failure and returns false. */
static bool
load(od_request *r, bool lock, loaded *out)
{
    PGresult *res = NULL;
    od_date dob;
    od_rc rc;

    memset(out, 0, sizeof(*out));
    if ((out->customer = od_api_id(r, "customer")) == NULL)
        return false;
    /* Who read which customer's health data, and when; never what it holds. Every
     * attempt is recorded, an id that is no customer of the vendor's too. */
    if (!lock && (rc = od_api_audit_access_defer(r, "read", ENTITY, out->customer)) != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return false;
    }
    rc = od_health_load(r->db, r->arena, r->vendor_id, out->customer, lock, &res);
    if (!lock && (rc == OD_OK || rc == OD_ENOTFOUND))
        od_api_audit_access_sent(r, "read");
    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "no such customer");
        return false;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (!PQgetisnull(res, 0, OD_HEALTH_DOB) &&
        od_customer_date(PQgetvalue(res, 0, OD_HEALTH_DOB), &dob)) {
        out->ctx.customer_age = od_customer_age(dob, od_api_today());
        out->ctx.age_from_dob = true;
    } else {
        out->ctx.customer_age = (int)strtol(PQgetvalue(res, 0, OD_HEALTH_CUSTOMER_AGE), NULL, 10);
    }
    out->ctx.customer_gender = od_arena_strdup(r->arena, PQgetvalue(res, 0, OD_HEALTH_GENDER));
    if (!PQgetisnull(res, 0, OD_HEALTH_PROFILE))
        out->profile_text = PQgetvalue(res, 0, OD_HEALTH_PROFILE);
    if (!PQgetisnull(res, 0, OD_HEALTH_DERIVED_STAMP))
        out->derived_stamp = PQgetvalue(res, 0, OD_HEALTH_DERIVED_STAMP);
    if (!PQgetisnull(res, 0, OD_HEALTH_DERIVED_DIGEST))
        out->derived_digest = PQgetvalue(res, 0, OD_HEALTH_DERIVED_DIGEST);
    if (lock && !parse_profile(r, out, true))
        return false;
    out->consent_needed = PQgetvalue(res, 0, OD_HEALTH_CONSENT_NEEDED)[0] == 't';
    out->consented = PQgetvalue(res, 0, OD_HEALTH_CONSENTED)[0] == 't';
    out->policy_stamp = PQgetvalue(res, 0, OD_HEALTH_POLICY_STAMP);
    out->vocab_version = PQgetvalue(res, 0, OD_HEALTH_VOCAB_VERSION);
    return true;
}

/* The diet rule policies in force when l was loaded; false after answering. */
static bool
load_policies(od_request *r, const loaded *l, od_policy_set *p)
{
    PGresult *res = NULL;
    od_rc rc = od_health_policies_get(r->db, r->arena, r->vendor_id, l->policy_stamp, p, &res);

    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    return true;
}

/* What a derivation of profile p with the policies in force takes (borrowed). */
static od_health_input
input_of(const od_profile *p, const od_policy_set *pol)
{
    return (od_health_input){
        .body = p->body,
        .conditions = p->conditions, .n_conditions = p->n_conditions,
        .diet_goals = p->diet_goals, .n_diet_goals = p->n_diet_goals,
        .avoid_allergens = p->avoid_allergens, .n_avoid_allergens = p->n_avoid_allergens,
        .macro_targets = p->macro_targets,
        .policies = pol->rows, .n_policies = pol->n,
    };
}

/* The hex of the first 128 bits of the SHA-256 of text[0..len), arena-owned; NULL
 * when it cannot be made. */
static const char *
digest_of(od_arena *a, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *out;

    if (EVP_Digest(text, len, md, &n, EVP_sha256(), NULL) != 1 || n < 16 ||
        (out = od_arena_alloc(a, 33)) == NULL)
        return NULL;
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
    return out;
}

/* Derives and writes profile p; answers with the stored document (status 200, or
 * 201 for a first profile). Its audit row, the changed fields' values before (as
 * loaded) and after (as written), goes out in front of the store, and the COMMIT
 * after it, in one round trip.
 * derived_limits stays text on both sides: it changed when the digest of the text
 * written differs from the one stored with the loaded profile (or none is known),
 * and the row then holds the loaded text as it is. */
static void
derive_and_store(od_request *r, const loaded *l, const od_policy_set *pol, od_profile *p,
                 od_writes *w)
{
    od_health_metrics m;
    od_health_input in = input_of(p, pol);
    const char *why = od_health_compute(&p->body, r->arena, &m), *doc, *derived_text;
    const char *digest, *before_text, *after_text, *columns_text;
    json_object *derived = NULL, *columns, *before, *after;
    PGresult *res = NULL;
    size_t derived_len;
    od_rc rc;

    if (why == NULL && (derived = od_health_derive(&in, r->arena, &why)) != NULL)
        od_json_own(r->arena, derived);
    if (derived == NULL) {
        /* A body the metrics refuse (units mixed up): a client error on the body. */
        od_writes_issue(w, "#", why != NULL ? why : "could not be derived");
        od_writes_fail(w);
        return;
    }
    columns = od_json_own(r->arena, od_profile_columns(p, &m));
    derived_text = od_json_text(derived, &derived_len);
    digest = digest_of(r->arena, derived_text, derived_len);
    /* The columns are the stored document's fields but the row's own (updated_by,
     * created_at, updated_at); a field with the loaded one's value (core/json.h:
     * od_json_same) did not change. */
    before = od_json_own(r->arena, json_object_new_object());
    after = od_json_own(r->arena, json_object_new_object());
    json_object_object_foreach(columns, key, value) {
        json_object *old = l->profile != NULL ? od_json_member(l->profile, key) : NULL;

        if (od_json_same(old, value))
            continue;
        json_object_object_add(before, key, json_object_get(old));
        json_object_object_add(after, key, json_object_get(value));
    }
    before_text = od_json_text(before, NULL);
    after_text = od_json_text(after, NULL);
    if (l->profile == NULL || digest == NULL || l->derived_digest == NULL ||
        strcmp(digest, l->derived_digest) != 0) {
        const char *old = l->derived_text != NULL ?
            od_arena_strndup(r->arena, l->derived_text, l->derived_len) : "null";

        before_text = old != NULL ? od_json_add_raw(r->arena, before_text, "derived_limits", old)
                                  : NULL;
        after_text = od_json_add_raw(r->arena, after_text, "derived_limits", derived_text);
    }
    columns_text = od_json_text(columns, NULL);
    if (before_text == NULL || after_text == NULL || columns_text == NULL) {
        od_resp_problem(r, 500, NULL, "the server ran out of memory");
        return;
    }
    rc = od_api_audit_defer(r, l->profile != NULL ? "update" : "create", ENTITY, l->customer,
                            before_text, after_text);
    if (rc == OD_OK) {
        od_api_commit_with_next(r);
        rc = od_health_store(r->db, r->arena, r->vendor_id, l->customer, columns_text,
                             derived_text, r->user_id, pol->stamp, digest, &res);
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    /* The stored document, with derived_limits as sent rather than read back: the
     * same values a read returns (jsonb's text of them, its keys in its order). */
    doc = od_json_add_raw(r->arena, PQgetvalue(res, 0, 0), "derived_limits", derived_text);
    if (doc == NULL) {
        od_resp_problem(r, 500, NULL, "the server ran out of memory");
        return;
    }
    r->rows_written = 3;
    od_resp_send(r, l->profile != NULL ? 200 : 201, "application/json", NULL, doc, strlen(doc));
}

/* Refuses a write without the consent the vendor requires; true when allowed. */
static bool
consent_ok(od_request *r, const loaded *l)
{
    if (!l->consent_needed || l->consented)
        return true;
    od_resp_problem(r, 409, "urn:odyssey:problem:consent-required",
                    "this vendor processes health data only with the customer's consent: "
                    "record a granted health_data consent first "
                    "(POST /api/v1/customers/{id}/consents)");
    return false;
}

/* PUT and PATCH: body (PUT) or the stored inputs with body merged (PATCH). */
static void
write_profile(od_request *r, bool merge)
{
    json_object *body, *doc;
    od_writes w;
    od_profile p;
    od_policy_set pol;
    loaded l;

    if ((body = od_req_json_object(r)) == NULL || !load(r, true, &l) || !consent_ok(r, &l))
        return;
    if (merge && l.profile == NULL) {
        od_resp_problem(r, 404, NULL, "the customer has no health profile yet: PUT one");
        return;
    }
    od_writes_begin(&w, r, "the health profile has invalid fields; nothing was written");
    doc = body;
    if (merge) {
        json_object *copy = NULL, *server = NULL;

        od_writes_fixed(&w, body, l.profile, od_profile_read_only, "health profile");
        if (w.issues.count > 0) {
            od_writes_fail(&w);
            return;
        }
        /* The stored document stays as it was: the audit compares with it. */
        if (json_object_deep_copy(l.profile, &copy, NULL) != 0) {
            od_resp_problem(r, 500, NULL, "the server ran out of memory");
            return;
        }
        doc = od_json_own(r->arena, copy);
        /* The server's fields leave the document: the patch is over the inputs. */
        server = od_json_own(r->arena, json_object_new_array());
        json_object_object_foreach(doc, key, value) {
            (void)value;
            if (od_profile_read_only(key))
                json_object_array_add(server, json_object_new_string(key));
        }
        for (size_t i = 0; i < json_object_array_length(server); i++) {
            json_object *name = json_object_array_get_idx(server, i);

            json_object_object_del(doc, json_object_get_string(name));
        }
        /* A measure sent with units replaces the stored metric one; an age that
         * follows the customer's dob is taken afresh. */
        if (json_object_object_get_ex(body, "height", NULL))
            json_object_object_del(doc, "height_cm");
        if (json_object_object_get_ex(body, "weight", NULL))
            json_object_object_del(doc, "weight_kg");
        if (l.ctx.age_from_dob)
            json_object_object_del(doc, "age");
        od_json_merge_patch(doc, body);
    }
    if ((l.ctx.vocab = od_api_vocab(r, OD_VOCABULARY_HEALTH, l.vocab_version)) == NULL ||
        !load_policies(r, &l, &pol))
        return;
    l.ctx.goal_codes = pol.goals;
    l.ctx.n_goal_codes = pol.n_goals;
    if (!od_profile_read(doc, &l.ctx, r->arena, &w.issues, &p)) {
        od_writes_fail(&w);
        return;
    }
    od_json_own(r->arena, p.macro_targets);
    derive_and_store(r, &l, &pol, &p, &w);
}

void od_h_health_put(od_request *r) { write_profile(r, false); }
void od_h_health_patch(od_request *r) { write_profile(r, true); }

/* True when the stored profile's derivation used other policies than those in force
 * (a diet rule changed, or the profile was loaded without a derivation); *p is then
 * the stored profile's inputs. */
static bool
stale(od_request *r, const loaded *l, const od_policy_set *pol, od_profile *p)
{
    od_health_input in;

    if (!od_profile_stored(l->profile, r->arena, p))
        return false;  /* cannot happen for a stored profile: left as it is */
    in = input_of(p, pol);
    return !od_health_current(od_json_member(l->profile, "derived_limits"), &in, r->arena);
}

void
od_h_health_get(od_request *r)
{
    od_profile p;
    od_policy_set pol;
    loaded l;

    if (!load(r, false, &l))
        return;
    if (l.profile_text == NULL) {
        od_resp_problem(r, 404, NULL, "the customer has no health profile");
        return;
    }
    if (l.derived_stamp != NULL && strcmp(l.derived_stamp, l.policy_stamp) == 0) {
        /* Derived under the rules in force, which the same snapshot named: current
         * by construction, sent as stored. */
        r->rows_read = 1;
        od_resp_send(r, 200, "application/json", NULL, l.profile_text, strlen(l.profile_text));
        return;
    }
    if (!parse_profile(r, &l, false) || !load_policies(r, &l, &pol))
        return;
    if (stale(r, &l, &pol, &p)) {
        /* Stale: the diet rules changed since the last derivation. Written again
         * from the stored inputs under the customer's lock, and audited. */
        od_writes w;

        if (!load(r, true, &l) || !load_policies(r, &l, &pol))
            return;  /* the rules as the locked load saw them */
        if (l.profile == NULL || !od_profile_stored(l.profile, r->arena, &p)) {
            od_resp_problem(r, 409, OD_PT_CONFLICT, "the health profile changed meanwhile: "
                            "read it again");
            return;
        }
        od_writes_begin(&w, r, "the stored health profile could not be derived again");
        derive_and_store(r, &l, &pol, &p, &w);
        return;
    }
    r->rows_read = 1;
    od_resp_send(r, 200, "application/json", NULL, l.profile_text, strlen(l.profile_text));
}
