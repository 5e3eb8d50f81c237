/* profile.c: the checks of a health profile's inputs. */
#include "domain/profile.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "domain/check.h"
#include "domain/units.h"

#define LIST_MAX 50

const char *const od_profile_weight_goals[] = {
    "muscle_gain", "weight_gain", "weight_loss", "weight_maintenance",
};
const size_t od_profile_n_weight_goals =
    sizeof(od_profile_weight_goals) / sizeof(od_profile_weight_goals[0]);

static const char *const known[] = {
    "height", "height_cm", "weight", "weight_kg", "age", "gender", "activity_level",
    "conditions", "diet_goals", "avoid_allergens", "macro_targets",
};

static const char *const read_only[] = {
    "bmi", "bmi_category", "bmr", "tdee_cached", "derived_limits", "updated_by", "created_at",
    "updated_at", "customer_id",
};

bool
od_profile_read_only(const char *member)
{
    return od_check_in(member, read_only, sizeof(read_only) / sizeof(read_only[0]));
}

static const char *
condition_word(const void *arg, const char *word, od_arena *a, const char **why)
{
    const od_profile_ctx *ctx = arg;
    const char *code = od_vocab_lookup(ctx->vocab, OD_VOCAB_CONDITION, word);

    (void)a;
    if (code == NULL)
        *why = "is not a known condition (diabetes_t2, hypertension, ckd, celiac, ... or a "
               "synonym such as \"T2D\" or \"high blood pressure\")";
    return code;
}

static const char *
allergen_word(const void *arg, const char *word, od_arena *a, const char **why)
{
    const od_profile_ctx *ctx = arg;
    const char *code = od_vocab_lookup(ctx->vocab, OD_VOCAB_ALLERGEN, word);

    (void)a;
    if (code == NULL)
        *why = "is not a known allergen (milk, egg, peanut, tree_nuts, ... or a synonym)";
    return code;
}

/* A goal: a weight goal, a goal the vendor's policies name, or a dietary tag. */
static const char *
goal_word(const void *arg, const char *word, od_arena *a, const char **why)
{
    const od_profile_ctx *ctx = arg;
    const char *code = od_check_code(word, a), *tag;

    if (code != NULL &&
        (od_check_in(code, od_profile_weight_goals, od_profile_n_weight_goals) ||
         od_check_in(code, ctx->goal_codes, ctx->n_goal_codes)))
        return code;
    if ((tag = od_vocab_lookup(ctx->vocab, OD_VOCAB_DIET, word)) != NULL)
        return tag;
    *why = "is not a known diet goal (weight_loss, weight_gain, weight_maintenance, "
           "muscle_gain, or a dietary tag such as vegan or low_sodium)";
    return NULL;
}

/* Reads a measure given either as name (units allowed) or as metric (a number). */
static void
measure(od_check *c, json_object *body, const char *name, const char *metric, bool height,
        double *out)
{
    json_object *v = od_json_member(body, name), *m = od_json_member(body, metric);
    const char *why;

    if (v != NULL && m != NULL) {
        od_check_bad(c, name, -1, NULL, od_arena_printf(c->a, "give %s or %s, not both", name,
                                                        metric));
        return;
    }
    if (v == NULL && m == NULL) {
        od_check_bad(c, name, -1, NULL, "is required");
        return;
    }
    if (m != NULL && !json_object_is_type(m, json_type_int) &&
        !json_object_is_type(m, json_type_double)) {
        od_check_bad(c, metric, -1, NULL, height ? "must be a number of centimetres"
                                                 : "must be a number of kilograms");
        return;
    }
    why = height ? od_units_height(v != NULL ? v : m, OD_UNITS_BARE_REJECT, c->a, out)
                 : od_units_weight(v != NULL ? v : m, OD_UNITS_BARE_REJECT, c->a, out);
    if (why != NULL)
        od_check_bad(c, v != NULL ? name : metric, -1, NULL, why);
}

static void
age(od_check *c, json_object *body, const od_profile_ctx *ctx, int *out)
{
    json_object *v = od_json_member(body, "age");
    const char *why;

    *out = ctx->customer_age;
    if (v == NULL)
        return;
    if ((why = od_units_age(v, out)) != NULL) {
        od_check_bad(c, "age", -1, NULL, why);
        return;
    }
    if (ctx->age_from_dob && *out != ctx->customer_age)
        od_check_bad(c, "age", -1, NULL, od_arena_printf(c->a, "contradicts the customer's "
                     "date of birth, which makes them %d: leave age out to use it",
                     ctx->customer_age));
}

static void
gender(od_check *c, json_object *body, const od_profile_ctx *ctx, od_gender *out)
{
    json_object *v = od_json_member(body, "gender");
    const char *s = v != NULL ? od_json_string(v) : ctx->customer_gender;
    const char *g = s != NULL ? od_vocab_lookup(ctx->vocab, OD_VOCAB_GENDER, s) : NULL;

    if (!od_health_gender(g != NULL ? g : (s != NULL ? s : ""), out))
        od_check_bad(c, "gender", -1, NULL, "must be male, female, other or unspecified "
                     "(or a synonym such as \"F\")");
}

static void
activity(od_check *c, json_object *body, od_activity *out)
{
    const char *s = od_json_string(od_json_member(body, "activity_level"));

    if (od_json_member(body, "activity_level") == NULL)
        od_check_bad(c, "activity_level", -1, NULL, "is required");
    else if (s == NULL || !od_health_activity(s, out))
        od_check_bad(c, "activity_level", -1, NULL, "must be sedentary, light, moderate, "
                     "very or extra");
}

/* The normalised list name of c->out as an arena array. */
static const char **
list(od_check *c, const char *name, size_t *n)
{
    json_object *v = od_json_member(c->out, name);
    const char **out;

    *n = v != NULL ? json_object_array_length(v) : 0;
    out = od_arena_alloc(c->a, sizeof(*out) * (*n + 1));
    for (size_t i = 0; out != NULL && i < *n; i++)
        out[i] = od_arena_strdup(c->a, json_object_get_string(json_object_array_get_idx(v, i)));
    return out;
}

bool
od_profile_read(json_object *body, const od_profile_ctx *ctx, od_arena *a, od_issues *issues,
                od_profile *out)
{
    od_check c = { .prefix = "#", .a = a, .issues = issues, .ctx = ctx };
    unsigned before = issues->count;
    json_object *targets, *normalised;

    memset(out, 0, sizeof(*out));
    if (!od_check_begin(&c, body, 0, known, sizeof(known) / sizeof(known[0]),
                        od_profile_read_only, "health profile"))
        return false;
    measure(&c, body, "height", "height_cm", true, &out->body.height_cm);
    measure(&c, body, "weight", "weight_kg", false, &out->body.weight_kg);
    age(&c, body, ctx, &out->body.age);
    gender(&c, body, ctx, &out->body.gender);
    activity(&c, body, &out->body.activity);
    od_check_words(&c, body, "conditions", LIST_MAX, condition_word);
    od_check_words(&c, body, "diet_goals", LIST_MAX, goal_word);
    od_check_words(&c, body, "avoid_allergens", LIST_MAX, allergen_word);
    targets = od_json_member(body, "macro_targets");
    od_health_targets_check(targets, "#/macro_targets", a, issues);
    if ((normalised = od_check_end(&c, before)) == NULL)
        return false;
    out->conditions = list(&c, "conditions", &out->n_conditions);
    out->diet_goals = list(&c, "diet_goals", &out->n_diet_goals);
    out->avoid_allergens = list(&c, "avoid_allergens", &out->n_avoid_allergens);
    json_object_put(normalised);
    out->macro_targets = targets != NULL ? json_object_get(targets) : json_object_new_object();
    return out->conditions != NULL && out->diet_goals != NULL && out->avoid_allergens != NULL;
}

static json_object *
strings(const char *const *s, size_t n)
{
    json_object *o = json_object_new_array();

    for (size_t i = 0; i < n; i++)
        json_object_array_add(o, json_object_new_string(s[i]));
    return o;
}

/* A number of exactly 2 decimals, written as such ("90.72"). */
static json_object *
decimal2(double x)
{
    char text[32];

    snprintf(text, sizeof(text), "%.2f", od_health_round2(x));
    return json_object_new_double_s(od_health_round2(x), text);
}

json_object *
od_profile_columns(const od_profile *p, const od_health_metrics *m)
{
    static const char *const activities[] = { "sedentary", "light", "moderate", "very",
                                              "extra" };
    json_object *o = json_object_new_object();

    json_object_object_add(o, "height_cm", decimal2(p->body.height_cm));
    json_object_object_add(o, "weight_kg", decimal2(p->body.weight_kg));
    json_object_object_add(o, "age", json_object_new_int(p->body.age));
    json_object_object_add(o, "gender",
                           json_object_new_string(od_dietrule_gender_name(p->body.gender)));
    json_object_object_add(o, "activity_level",
                           json_object_new_string(activities[p->body.activity]));
    json_object_object_add(o, "conditions", strings(p->conditions, p->n_conditions));
    json_object_object_add(o, "diet_goals", strings(p->diet_goals, p->n_diet_goals));
    json_object_object_add(o, "macro_targets", json_object_get(p->macro_targets));
    json_object_object_add(o, "avoid_allergens", strings(p->avoid_allergens,
                                                         p->n_avoid_allergens));
    json_object_object_add(o, "bmi", decimal2(m->bmi));
    json_object_object_add(o, "bmr", decimal2(m->bmr));
    json_object_object_add(o, "tdee_cached", decimal2(m->tdee));
    return o;
}

/* The strings of the array member name of o as an arena array; false when it is not
 * an array of strings. */
static bool
stored_list(json_object *o, const char *name, od_arena *a, const char ***out, size_t *n)
{
    json_object *v = od_json_member(o, name);

    *n = v != NULL && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (v != NULL && !json_object_is_type(v, json_type_array))
        return false;
    if ((*out = od_arena_alloc(a, sizeof(**out) * (*n + 1))) == NULL)
        return false;
    for (size_t i = 0; i < *n; i++) {
        if (((*out)[i] = od_json_string(json_object_array_get_idx(v, i))) == NULL)
            return false;
    }
    return true;
}

bool
od_profile_stored(json_object *columns, od_arena *a, od_profile *out)
{
    json_object *h = od_json_member(columns, "height_cm");
    json_object *w = od_json_member(columns, "weight_kg"), *g = od_json_member(columns, "age");
    const char *gender = od_json_string(od_json_member(columns, "gender"));
    const char *act = od_json_string(od_json_member(columns, "activity_level"));

    memset(out, 0, sizeof(*out));
    if (!od_json_number(h, &out->body.height_cm) || !od_json_number(w, &out->body.weight_kg) ||
        g == NULL ||
        !json_object_is_type(g, json_type_int) || gender == NULL || act == NULL ||
        !od_health_gender(gender, &out->body.gender) ||
        !od_health_activity(act, &out->body.activity))
        return false;
    out->body.age = json_object_get_int(g);
    out->macro_targets = od_json_member(columns, "macro_targets");
    return stored_list(columns, "conditions", a, &out->conditions, &out->n_conditions) &&
           stored_list(columns, "diet_goals", a, &out->diet_goals, &out->n_diet_goals) &&
           stored_list(columns, "avoid_allergens", a, &out->avoid_allergens,
                       &out->n_avoid_allergens);
}
