/* kind_deliver.c: webhook.deliver, one attempt of one delivery (docs/webhooks.md):
 * take the delivery (fenced by the job's lock token), open its signing secret(s)
 * with the KMS, sign the raw body with a fresh X-Timestamp from the daemon's clock,
 * POST it, and record the verdict on the delivery and its endpoint. The retry
 * schedule is the webhooks' own (domain/webhook.h), not the kind's backoff. No
 * payload, secret or signature is logged. */
#include "worker/kinds.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/json.h"
#include "core/log.h"
#include "core/uuid.h"
#include "crypto/signature.h"
#include "db/context.h"
#include "db/deliveries.h"
#include "domain/webhook.h"
#include "worker/webhook_http.h"

#define DELIVER_LEASE_SEC 60   /* above the 50 s a whole attempt may take */
#define ERROR_MAX (OD_WEBHOOK_ANSWER_MAX + 320)

/* A number in [0, 1) for the jitter. */
static double
jitter(void)
{
    unsigned char b[4];

    if (RAND_bytes(b, sizeof(b)) != 1)
        return 0.5;
    return (double)((unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
                    (unsigned long)b[2] << 8 | b[3]) / 4294967296.0;
}

/* The delivery id of the job's payload {"delivery_id": "<uuid>", "replays": n}, or
 * NULL; *replays gets n (0 when absent). */
static const char *
delivery_of(od_arena *a, const char *payload, int *replays)
{
    json_object *o = NULL;
    size_t off;
    const char *why, *s;
    char *id = od_arena_alloc(a, 37);
    double n = 0;

    *replays = 0;
    if (id == NULL || payload == NULL ||
        od_json_parse(payload, strlen(payload), &o, &off, &why) != OD_OK || o == NULL)
        return NULL;
    od_json_own(a, o);
    s = od_json_string(od_json_member(o, "delivery_id"));
    if (od_json_member(o, "replays") != NULL &&
        (!od_json_number(od_json_member(o, "replays"), &n) || n < 0 || n > 1e9))
        return NULL;
    *replays = (int)n;
    return s != NULL && od_uuid_canonical(s, id) ? id : NULL;
}

/* The operator's allow-list, parsed per attempt (a few blocks); an invalid one
 * allows nothing and is reported once per process. */
static const od_netlist *
allow_list(const od_config *cfg, od_netlist *nets)
{
    static bool reported;
    char err[160];

    if (od_netlist_parse(cfg->webhook_allow_nets, nets, err, sizeof(err)))
        return nets;
    if (!reported)
        od_log_error("webhook.deliver: ODYSSEY_WEBHOOK_ALLOW_NETS ignored: %s", err);
    reported = true;
    nets->n = 0;
    return nets;
}

/* Opens a sealed signing secret of endpoint_id. Returns the key (arena-owned,
 * wiped at the arena's reset) or NULL with *why set. */
static const unsigned char *
open_secret(od_job_ctx *ctx, const od_job *job, const char *endpoint_id, const od_envelope *env,
            size_t *len, const char **why)
{
    const char *aad = od_arena_printf(ctx->arena, "vendor:%s/webhook:%s", job->vendor_id,
                                      endpoint_id);
    unsigned char *key = NULL;

    *why = "the master keys are not loaded";
    if (ctx->kms == NULL || aad == NULL)
        return NULL;
    if (od_secret_open(ctx->kms, ctx->arena, aad, strlen(aad), env, &key, len, why) != OD_OK)
        return NULL;
    return key;
}

/* Returns s as valid UTF-8 text (arena-owned), or a static message. */
static const char *
clean_text(od_arena *a, const char *s)
{
    char *out = od_arena_alloc(a, ERROR_MAX);

    if (out == NULL)
        return "out of memory";
    od_webhook_text(s, strlen(s), out, ERROR_MAX);
    return out;
}

/* What went wrong, for last_error: "HTTP 500: <the answer as text>", the reason
 * there was no answer, or a redirect that was not followed. */
static const char *
error_text(od_arena *a, const od_webhook_answer *ans)
{
    char *text = od_arena_alloc(a, ERROR_MAX), *body = od_arena_alloc(a, OD_WEBHOOK_ANSWER_MAX + 1);
    int n;

    if (text == NULL || body == NULL)
        return "out of memory";
    if (ans->status == 0)
        return clean_text(a, ans->error[0] ? ans->error : "no answer");
    od_webhook_text(ans->body, ans->body_len, body, OD_WEBHOOK_ANSWER_MAX + 1);
    if (ans->status >= 300 && ans->status < 400)
        n = snprintf(text, ERROR_MAX, "HTTP %d (redirect to %s not followed)%s%s", ans->status,
                     ans->location[0] ? ans->location : "nowhere", body[0] ? ": " : "", body);
    else
        n = snprintf(text, ERROR_MAX, "HTTP %d%s%s%s", ans->status,
                     ans->retry_after[0] ? " (Retry-After " : "",
                     ans->retry_after[0] ? ans->retry_after : "",
                     ans->retry_after[0] ? ")" : "");
    if (ans->status < 300 || ans->status >= 400)
        snprintf(text + n, ERROR_MAX - (size_t)n, "%s%s", body[0] ? ": " : "", body);
    /* Location and Retry-After are the receiver's bytes too: the whole text is made
     * valid UTF-8, or PostgreSQL would refuse to record the attempt at all. */
    return clean_text(a, text);
}

/* Records at (in the vendor's context) and returns r; a lost lease or a failed
 * write changes nothing the daemon will not redo. The commit does not wait for the
 * disk: the job's finish right after it is a synchronous commit, which flushes this
 * one too (WAL order); a crash before it loses both, and the job runs again. */
static od_job_result
record(od_job_ctx *ctx, const od_job *job, const char *id, const char *endpoint_id,
       const od_attempt *at, od_job_result r)
{
    bool disabled = false;
    od_rc rc;

    od_context_begin_lazy(ctx->db, ctx->arena, job->vendor_id);
    rc = od_deliveries_record(ctx->db, ctx->arena, job->vendor_id, id, job->id, job->lock_token,
                              at, &disabled);
    if (od_context_end(ctx->db, rc == OD_OK) != OD_OK && rc == OD_OK)
        rc = OD_EUNAVAIL;
    if (rc == OD_OK && disabled)
        od_log_warn("webhook.deliver: endpoint %s of vendor %s disabled (%s)", endpoint_id,
                    job->vendor_id, at->end == OD_ATTEMPT_GONE ? "HTTP 410" : "failing too long");
    if (rc != OD_OK && rc != OD_ENOTFOUND && r.outcome == OD_JOB_DONE) {
        /* Delivered, but not recorded: say so; the retry delivers again (at least
         * once), with the same event id for the receiver to drop. */
        r = (od_job_result){ .outcome = OD_JOB_RETRY, .delay_ms = 1000,
                             .error = "delivered, but the outcome could not be recorded" };
    }
    return r;
}

static od_job_result
deliver_run(od_job_ctx *ctx, const od_job *job)
{
    od_arena *a = ctx->arena;
    const od_config *cfg = ctx->cfg;
    int replays;
    const char *id = delivery_of(a, job->payload, &replays), *why = NULL, *sig, *error;
    const unsigned char *key, *old = NULL;
    size_t keylen = 0, oldlen = 0;
    od_delivery d;
    od_attempt at = { 0 };
    od_webhook_answer *ans = od_arena_alloc(a, sizeof(*ans));
    od_netlist nets;
    od_webhook_post post;
    long long ts;
    long snooze = 0, delay;
    time_t now = od_job_clock(cfg);
    const char *progress;
    od_rc rc;

    if (id == NULL || job->vendor_id == NULL)
        return (od_job_result){ .outcome = OD_JOB_FATAL,
                                .error = "the payload names no delivery (delivery_id)" };
    if (ans == NULL)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = "out of memory" };
    /* Marking it "delivering" need not be durable: a crash re-runs the job anyway,
     * and the runner's finish of the job, a synchronous commit, flushes it. */
    od_context_begin_lazy(ctx->db, a, job->vendor_id);
    rc = od_deliveries_take(ctx->db, a, job->vendor_id, id, replays, job->id,
                            job->lock_token, job->attempt, now, &d);
    if (od_context_end(ctx->db, rc == OD_OK) != OD_OK && rc == OD_OK)
        rc = OD_EUNAVAIL;
    progress = od_arena_printf(a, "{\"delivery_id\": \"%s\"}", id);
    if (rc == OD_ENOTFOUND)  /* deleted, delivered, replayed by another job, lease lost */
        return (od_job_result){ .outcome = OD_JOB_DONE, .progress = progress };
    if (rc != OD_OK)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = od_arena_printf(a,
                                "cannot take the delivery: %s", od_rc_str(rc)) };
    at = (od_attempt){ .now_ms = od_job_clock_ms(cfg), .attempt = job->attempt,
                       .disable_after = cfg->webhook_disable_after };
    if (!d.enabled) {
        at.end = OD_ATTEMPT_SKIPPED;
        at.status = "dead";
        at.last_error = "the endpoint is disabled";
        return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                      .outcome = OD_JOB_FATAL, .error = at.last_error, .progress = progress });
    }
    key = open_secret(ctx, job, d.endpoint_id, &d.secret, &keylen, &why);
    if (key != NULL && d.has_previous)
        old = open_secret(ctx, job, d.endpoint_id, &d.previous, &oldlen, &why);
    if (key == NULL || (d.has_previous && old == NULL)) {
        at.end = OD_ATTEMPT_SKIPPED;
        at.status = job->attempt >= job->max_attempts ? "dead" : "pending";
        at.last_error = od_arena_printf(a, "cannot open the signing secret: %s", why);
        od_log_error("webhook.deliver: delivery %s: %s", id, at.last_error);
        return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                      .outcome = OD_JOB_RETRY, .error = at.last_error, .progress = progress });
    }
    /* Signed now, not at claim time: X-Timestamp is as fresh as it can be. */
    ts = (long long)od_job_clock(cfg);
    sig = od_signature_header(a, key, keylen, old, oldlen, ts, d.body, strlen(d.body));
    if (sig == NULL)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = "cannot sign" };
    {
        const char *headers[] = {
            "Content-Type: application/json",
            "User-Agent: Odyssey-Webhooks/" PACKAGE_VERSION,
            od_arena_printf(a, "X-Timestamp: %lld", ts),
            od_arena_printf(a, "X-Signature: %s", sig),
            od_arena_printf(a, "X-Idempotency-Key: %s", d.event_id),
            od_arena_printf(a, "X-Event-Type: %s", d.event_type),
            od_arena_printf(a, "X-Delivery-Attempt: %d", job->attempt),
            "Expect:",   /* no 100-continue round trip */
            NULL,
        };

        post = (od_webhook_post){ .url = d.url, .body = d.body, .len = strlen(d.body),
                                  .headers = headers,
                                  .connect_timeout_ms = cfg->webhook_connect_timeout,
                                  .timeout_ms = cfg->webhook_timeout,
                                  .allow_http = strcmp(cfg->webhook_allow_http, "on") == 0,
                                  .allow = allow_list(cfg, &nets) };
        if (od_webhook_http_post(&post, ans) != OD_OK)
            return (od_job_result){ .outcome = OD_JOB_RETRY, .error = "cannot set up libcurl" };
    }
    now = od_job_clock(cfg);
    at.now_ms = od_job_clock_ms(cfg);
    at.signature = sig;
    at.response_status = ans->status;
    progress = od_arena_printf(a, "{\"delivery_id\": \"%s\", \"response_status\": %d}", id,
                               ans->status);
    error = ans->status >= 200 && ans->status < 300 ? NULL : error_text(a, ans);
    at.last_error = error;
    switch (od_webhook_judge(ans->status, ans->retry_after[0] ? ans->retry_after : NULL, now,
                             &snooze)) {
    case OD_WH_DELIVERED:
        at.end = OD_ATTEMPT_OK;
        at.status = "delivered";
        return record(ctx, job, id, d.endpoint_id, &at,
                      (od_job_result){ .outcome = OD_JOB_DONE, .progress = progress });
    case OD_WH_GONE:
        at.end = OD_ATTEMPT_GONE;
        at.status = "dead";
        return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                      .outcome = OD_JOB_FATAL, .error = error, .progress = progress });
    case OD_WH_SNOOZE:
        /* Not an attempt: it is given back, and the delivery says so too. */
        at.end = OD_ATTEMPT_FAILED;
        at.status = "pending";
        at.attempt = job->attempt - 1;
        at.next_attempt_at = now + snooze;
        return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                      .outcome = OD_JOB_SNOOZE, .delay_ms = snooze * 1000L, .error = error,
                      .progress = progress });
    case OD_WH_RETRY:
        break;
    }
    at.end = OD_ATTEMPT_FAILED;
    if (job->attempt >= job->max_attempts ||
        job->attempt >= od_webhook_max_attempts(d.retries_max)) {
        at.status = "dead";
        return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                      .outcome = OD_JOB_FATAL, .error = error, .progress = progress });
    }
    delay = od_webhook_retry_delay_ms(job->attempt, jitter());
    at.status = "pending";
    at.next_attempt_at = now + (delay + 999) / 1000;
    return record(ctx, job, id, d.endpoint_id, &at, (od_job_result){
                  .outcome = OD_JOB_RETRY, .delay_ms = delay, .error = error,
                  .progress = progress });
}

const od_job_kind od_kind_webhook_deliver = {
    .name = "webhook.deliver",
    .run = deliver_run,
    .backoff_base_ms = 1000,     /* only for failures before an attempt (database) */
    .backoff_cap_ms = 300000,
    .lease_sec = DELIVER_LEASE_SEC,
};
