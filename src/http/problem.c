/* problem.c: RFC 9457 problem documents. */
#include "http/problem.h"

#include <string.h>

typedef struct reason {
    int status;
    const char *phrase;
} reason;

static const reason reasons[] = {
    { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
    { 301, "Moved Permanently" }, { 304, "Not Modified" },
    { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
    { 404, "Not Found" }, { 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
    { 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
    { 411, "Length Required" }, { 412, "Precondition Failed" },
    { 413, "Content Too Large" }, { 414, "URI Too Long" },
    { 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
    { 423, "Locked" }, { 428, "Precondition Required" }, { 429, "Too Many Requests" },
    { 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" },
    { 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" },
};

typedef struct ptype {
    const char *uri;
    const char *title;
} ptype;

static const ptype ptypes[] = {
    { OD_PT_MALFORMED_JSON, "Malformed JSON" },
    { OD_PT_VALIDATION, "Validation failed" },
    { OD_PT_INVALID_TOKEN, "Invalid token" },
    { OD_PT_DB_UNAVAILABLE, "Database unavailable" },
    { OD_PT_BODY_TOO_LARGE, "Request body too large" },
    { OD_PT_MEDIA_TYPE, "Unsupported media type" },
    { OD_PT_NO_ACCOUNT, "No account" },
    { OD_PT_CONFLICT, "Conflict" },
};

const char *
od_http_reason(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].status == status)
            return reasons[i].phrase;
    }
    return "Unknown";
}

static const char *
type_title(const char *type)
{
    for (size_t i = 0; i < sizeof(ptypes) / sizeof(ptypes[0]); i++) {
        if (strcmp(ptypes[i].uri, type) == 0)
            return ptypes[i].title;
    }
    return NULL;
}

json_object *
od_problem_new(int status, const char *type, const char *detail, const char *instance,
               const char *request_id)
{
    json_object *p = json_object_new_object();
    const char *title = type ? type_title(type) : NULL;

    if (p == NULL)
        return NULL;
    if (title == NULL) {
        type = "about:blank";
        title = od_http_reason(status);
    }
    json_object_object_add(p, "type", json_object_new_string(type));
    json_object_object_add(p, "title", json_object_new_string(title));
    json_object_object_add(p, "status", json_object_new_int(status));
    if (detail != NULL)
        json_object_object_add(p, "detail", json_object_new_string(detail));
    if (instance != NULL)
        json_object_object_add(p, "instance", json_object_new_string(instance));
    if (request_id != NULL)
        json_object_object_add(p, "request_id", json_object_new_string(request_id));
    return p;
}

void
od_problem_add_error(json_object *problem, const char *pointer, const char *detail)
{
    json_object *errors, *e;

    if (!json_object_object_get_ex(problem, "errors", &errors)) {
        errors = json_object_new_array();
        json_object_object_add(problem, "errors", errors);
    }
    e = json_object_new_object();
    json_object_object_add(e, "pointer", json_object_new_string(pointer));
    json_object_object_add(e, "detail", json_object_new_string(detail));
    json_object_array_add(errors, e);
}

size_t
od_problem_error_count(json_object *problem)
{
    json_object *errors;

    if (!json_object_object_get_ex(problem, "errors", &errors))
        return 0;
    return json_object_array_length(errors);
}
