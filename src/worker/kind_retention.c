/* kind_retention.c: the retention.purge job kind (scheduled hourly by job_schedules).
 * Each target is purged in batches, one short transaction each, with a heartbeat
 * between batches; then the ingest error files older than 90 days go from disk.
 * The periods live in sql/022_retention.sql; docs/retention.md lists them. */
#include "worker/kinds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/log.h"
#include "db/retention.h"

#define PURGE_BATCH 5000
#define ERROR_FILE_DAYS 90

static const char *const targets[] = {
    "idempotency_keys", "raw_pages", "matches_cache", "ingest_errors", "events",
    "webhook_deliveries", "webhook_secrets",
};

/* Unlinks the regular files of directory fd older than cutoff; returns how many. */
static long
purge_dir_files(int fd, time_t cutoff)
{
    DIR *d = fdopendir(fd);
    struct dirent *e;
    long n = 0;

    if (d == NULL) {
        close(fd);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_mtime >= cutoff)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
        else
            od_log_warn("retention: cannot remove an ingest error file: %s", strerror(errno));
    }
    closedir(d);
    return n;
}

/* Ingest error files live in <storage>/ingest-errors/<vendor id>/<job id>.csv; they
 * go by their age on disk, so a file whose database row was already purged (or
 * never written) still leaves. Returns how many files were removed. */
static long
purge_error_files(const char *storage_dir, time_t now)
{
    time_t cutoff = now - (time_t)ERROR_FILE_DAYS * 86400;
    int root, fd;
    DIR *d;
    struct dirent *e;
    long n = 0;

    root = open(storage_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return 0;
    fd = openat(root, "ingest-errors", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    close(root);
    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        int vfd;

        if (e->d_name[0] == '.')
            continue;
        vfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (vfd >= 0)
            n += purge_dir_files(vfd, cutoff);
    }
    closedir(d);
    return n;
}

static od_job_result
run(od_job_ctx *ctx, const od_job *job)
{
    json_object *progress = json_object_new_object();
    od_job_result r = { .outcome = OD_JOB_DONE };
    time_t now = ctx->now;

    if (progress == NULL)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = "out of memory" };
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        long total = 0, n;

        do {
            if (od_retention_purge(ctx->db, ctx->arena, targets[i], now, PURGE_BATCH, &n) !=
                OD_OK) {
                json_object_put(progress);
                return (od_job_result){
                    .outcome = OD_JOB_RETRY,
                    .error = od_arena_printf(ctx->arena, "purge of %s failed", targets[i]) };
            }
            total += n;
            json_object_object_add(progress, targets[i], json_object_new_int64(total));
            if (!ctx->heartbeat(ctx, job, json_object_to_json_string(progress))) {
                json_object_put(progress);
                return (od_job_result){ .outcome = OD_JOB_CANCELED };
            }
        } while (n >= PURGE_BATCH);
    }
    json_object_object_add(progress, "ingest_error_files",
                           json_object_new_int64(purge_error_files(ctx->cfg->storage_dir, now)));
    r.progress = od_arena_strdup(ctx->arena, json_object_to_json_string(progress));
    json_object_put(progress);
    return r;
}

const od_job_kind od_kind_retention_purge = {
    .name = "retention.purge",
    .run = run,
    .backoff_base_ms = 60 * 1000,
    .backoff_cap_ms = 30 * 60 * 1000,
    .lease_sec = 120,
};
