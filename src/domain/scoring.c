/* scoring.c: the scoring weights, checked member by member. */
#include "domain/scoring.h"

#include <string.h>

#include "core/json.h"

static const char *const names[] = { "preference_fit", "budget_fit", "recency" };

bool
od_scoring_weights_check(json_object *weights, od_arena *a, od_issues *issues)
{
    unsigned before = issues->count;
    double sum = 0;
    bool all_numbers = true;

    if (weights == NULL || !json_object_is_type(weights, json_type_object)) {
        od_issues_report(issues, "#", "must be an object {\"preference_fit\", \"budget_fit\", "
                         "\"recency\"}");
        return false;
    }
    json_object_object_foreach(weights, key, value) {
        bool known = false;

        (void)value;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            known = known || strcmp(key, names[i]) == 0;
        if (!known)
            od_issues_reportf(issues, a, "is not a scoring weight (preference_fit, budget_fit, "
                              "recency)", "#/%s", od_json_pointer_token(a, key));
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        json_object *v = od_json_member(weights, names[i]);
        double d;

        if (v == NULL) {
            od_issues_reportf(issues, a, "is required: a number from 0 to 10", "#/%s", names[i]);
            all_numbers = false;
            continue;
        }
        if (!od_json_number(v, &d) || d < 0 || d > OD_SCORING_WEIGHT_MAX) {
            od_issues_reportf(issues, a, "must be a number from 0 to 10", "#/%s", names[i]);
            all_numbers = false;
            continue;
        }
        sum += d;
    }
    if (all_numbers && sum == 0)
        od_issues_report(issues, "#", "must give at least one weight above 0");
    return issues->count == before;
}
