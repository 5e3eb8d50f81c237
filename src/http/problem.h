/* problem.h: RFC 9457 problem documents (pure: builds JSON, does no I/O). Every
 * error the application emits goes through here, so each one has type, title,
 * status, detail, instance and request_id, and field errors carry JSON pointers. */
#ifndef OD_PROBLEM_H
#define OD_PROBLEM_H

#include <json-c/json.h>

/* Problem types of this application; about:blank covers the plain statuses. */
#define OD_PT_MALFORMED_JSON   "urn:odyssey:problem:malformed-json"
#define OD_PT_VALIDATION       "urn:odyssey:problem:validation"
#define OD_PT_INVALID_TOKEN    "urn:odyssey:problem:invalid-token"
#define OD_PT_DB_UNAVAILABLE   "urn:odyssey:problem:database-unavailable"
#define OD_PT_BODY_TOO_LARGE   "urn:odyssey:problem:body-too-large"
#define OD_PT_MEDIA_TYPE       "urn:odyssey:problem:unsupported-media-type"
#define OD_PT_NO_ACCOUNT       "urn:odyssey:problem:no-account"
#define OD_PT_CONFLICT         "urn:odyssey:problem:conflict"

/* Returns the reason phrase of an HTTP status ("Not Found"), or "Unknown". */
const char *od_http_reason(int status);

/* Returns a new problem object (caller puts). type NULL means about:blank and then
 * title is the reason phrase; otherwise title is the fixed title of that type.
 * detail, instance and request_id are copied; NULL leaves the member out. */
json_object *od_problem_new(int status, const char *type, const char *detail,
                            const char *instance, const char *request_id);

/* Appends {"pointer": pointer, "detail": detail} to the problem's errors[]. */
void od_problem_add_error(json_object *problem, const char *pointer, const char *detail);

/* Number of entries in errors[] (0 when absent). */
size_t od_problem_error_count(json_object *problem);

#endif
