/* jobs.c: /api/v1/jobs/:id (the status of a queued, running or recently finished
 * job of the caller's vendor) and /api/v1/jobs/:id/cancel. Another vendor's job is
 * not found (row-level security). docs/queue.md has the document. */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "db/queue.h"
#include "http/problem.h"

/* The :id of the route when it can be a job id, else NULL after answering 404. */
static const char *
job_id(od_request *r)
{
    const char *id = od_route_param(&r->match, "id");

    if (!od_queue_id_ok(id)) {
        od_resp_problem(r, 404, NULL, "no such job");
        return NULL;
    }
    return id;
}

/* Answers status with the job's document; returns false after answering a failure. */
static bool
send_job(od_request *r, const char *id, int status)
{
    PGresult *res = NULL;
    od_rc rc = od_queue_get(r->db, r->arena, id, &res);
    const char *doc;

    if (!od_api_found(r, rc, res, "job"))
        return false;
    doc = PQgetvalue(res, 0, 0);
    r->rows_read++;
    od_resp_send(r, status, "application/json", NULL, doc, strlen(doc));
    return true;
}

void
od_h_jobs_get(od_request *r)
{
    const char *id = job_id(r);

    if (id != NULL)
        send_job(r, id, 200);
}

/* 200 when the job was queued and is now canceled (or was canceled already), 202
 * when it runs and its runner will stop at its next heartbeat, 409 when it has
 * finished otherwise. */
/* The platform's own kinds: their jobs serve the vendor (webhook deliveries, the
 * outbox fanout) but are not the vendor's to stop; a canceled delivery job would
 * strand its delivery, a canceled fanout its events. Operators cancel them with
 * odysseyctl; deliveries are managed through /api/v1/webhooks/deliveries. */
static const char *const platform_kinds[] = {
    "webhook.deliver", "events.fanout", "events.sweep", "retention.purge",
};

static bool
platform_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof(platform_kinds) / sizeof(platform_kinds[0]); i++)
        if (strcmp(kind, platform_kinds[i]) == 0)
            return true;
    return false;
}

void
od_h_jobs_cancel(od_request *r)
{
    const char *id = job_id(r), *state;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_queue_get(r->db, r->arena, id, &res);
    if (!od_api_found(r, rc, res, "job"))
        return;
    if (platform_kind(PQgetvalue(res, 0, 1))) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena,
                        "%s jobs are run by the platform and cannot be canceled here%s",
                        PQgetvalue(res, 0, 1),
                        strcmp(PQgetvalue(res, 0, 1), "webhook.deliver") == 0
                            ? " (see /api/v1/webhooks/deliveries)" : ""));
        return;
    }
    rc = od_queue_cancel(r->db, r->arena, id, &state);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return;
    }
    if (state == NULL) {
        od_resp_problem(r, 404, NULL, "no such job");
        return;
    }
    if (strcmp(state, "completed") == 0 || strcmp(state, "dead") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena,
                        "the job has already finished (%s)", state));
        return;
    }
    if (strcmp(state, "canceled") == 0 || strcmp(state, "cancel_requested") == 0) {
        rc = od_api_audit(r, "cancel", "jobs", id, NULL, NULL);
        if (rc != OD_OK) {
            od_api_db_fail(r, rc, NULL);
            return;
        }
    }
    r->rows_written++;
    send_job(r, id, strcmp(state, "cancel_requested") == 0 ? 202 : 200);
}
