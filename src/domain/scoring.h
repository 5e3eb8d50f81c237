/* scoring.h: the vendor's scoring policy (pure): the weights that matching gives to
 * preference fit, budget fit and recency (PRD 4.2 scoring_policies, 7.2). */
#ifndef OD_SCORING_H
#define OD_SCORING_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"

#define OD_SCORING_WEIGHT_MAX 10

/* Checks weights (borrowed), the body of PUT /api/v1/scoring-policy: an object with
 * exactly preference_fit, budget_fit and recency, each a number from 0 to 10, not
 * all 0. Reports every problem to issues with its pointer under "#" (arena-owned or
 * static). Returns true when there was none. */
bool od_scoring_weights_check(json_object *weights, od_arena *a, od_issues *issues);

#endif
