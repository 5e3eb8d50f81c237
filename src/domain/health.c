/* health.c: body metrics, and derived_limits: pick the policies that apply, give
 * each rule (and each clinician target) a status, set the energy target, resolve
 * relative limits to grams, take the tightest bound per nutrient, write it all. */
#include "domain/health.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "domain/nutrients.h"
#include "domain/units.h"

#define BMI_MIN        5
#define BMI_MAX        250
#define ENERGY_KCAL_MIN 500
#define ENERGY_KCAL_MAX 10000

static const char *const activity_names[] = {
    "sedentary", "light", "moderate", "very", "extra",
};
static const double activity_factor[] = { 1.2, 1.375, 1.55, 1.725, 1.9 };
/* Mifflin-St Jeor: +5 men, -161 women, -78 (the midpoint) other and unspecified. */
static const double gender_constant[] = { 5, -161, -78, -78 };

/* Why a rule or target is not applied (or "active"). */
typedef enum status {
    ST_ACTIVE, ST_DISABLED, ST_WHEN, ST_SUPPRESSED, ST_PREGNANCY, ST_CLINICIAN, ST_CONFLICT
} status;
static const char *const status_names[] = {
    "active", "disabled", "when", "suppressed", "pregnancy", "clinician", "conflict",
};
static const char *const type_names[] = { "nutrient", "energy", "exclude" };

/* A policy that applies to the customer. */
typedef struct chosen {
    const od_health_policy *in;
    const od_dietpolicy *dp;    /* NULL: the stored policy is not valid */
    const char *matched_by;     /* "condition" or "goal:<code>" */
} chosen;

/* One rule of a chosen policy, a clinician target, or the customer's allergens. */
typedef struct item {
    const char *key;            /* "ckd.protein_range", "macro_targets.sodium_mg",
                                   "customer.avoid_allergens" */
    const chosen *pol;          /* NULL unless a policy's rule */
    const od_dietrule *rule;    /* NULL unless a policy's rule */
    const char *field;          /* the customer's field, unless a policy's rule */
    od_rule_type type;
    status st;
    const char *by;             /* what made it inactive */
    const char *detail;
    /* nutrient limits, resolved to the nutrient's unit */
    const char *nutrient;
    od_rule_op op;
    bool hard;
    double value, min, max;
    json_object *expr;          /* the clinician's target (borrowed) */
    const char *basis;          /* "energy_target_kcal", "tdee_kcal", "weight_kg" or NULL */
    double basis_value;
    /* energy */
    double delta;
    json_object *allergens;     /* the customer's, as an array (arena-owned) */
} item;

/* A bound of a nutrient: value, and whether it is strict (< or >). */
typedef struct bound {
    double v;
    bool strict;
    bool set;
} bound;

typedef struct derive {
    const od_health_input *in;
    od_arena *a;
    od_health_metrics m;
    const char **conds;         /* sorted, unique */
    size_t n_conds;
    chosen *pols;               /* sorted by condition */
    size_t n_pols;
    item *items;
    size_t n_items;
    int trimester;              /* 1..3, 0 when unknown */
    json_object *clinician_kcal;/* macro_targets.energy_kcal (borrowed), or NULL */
    double target;              /* the daily energy target */
    const char *set_by;         /* "tdee", "diet_rules" or "clinician" */
    bool has_floor;
    double floor;               /* the highest floor of the applied energy rules */
    bool floored;               /* the floor held the target up */
} derive;

bool
od_health_gender(const char *code, od_gender *out)
{
    for (int g = 0; code != NULL && g < OD_GENDERS; g++) {
        if (strcmp(code, od_dietrule_gender_name((od_gender)g)) == 0) {
            *out = (od_gender)g;
            return true;
        }
    }
    return false;
}

bool
od_health_activity(const char *code, od_activity *out)
{
    for (int i = 0; code != NULL && i < OD_ACTIVITIES; i++) {
        if (strcmp(code, activity_names[i]) == 0) {
            *out = (od_activity)i;
            return true;
        }
    }
    return false;
}

/* od_health_round2 by the digits: the 15 significant digits x stands for, rounded
 * half up at the hundredths. */
static double
round2_digits(double x)
{
    char buf[40], digits[16];
    long long n = 0;
    int exp10, keep;

    /* "d.dddddddddddddde+XX" */
    snprintf(buf, sizeof(buf), "%.14e", x < 0 ? -x : x);
    digits[0] = buf[0];
    memcpy(digits + 1, buf + 2, 14);
    exp10 = (int)strtol(buf + 17, NULL, 10);
    keep = exp10 + 3;           /* digits up to the hundredths */
    if (keep >= 15)
        return x;               /* from 10^12: no digit left below the hundredths */
    for (int i = 0; i < keep; i++)
        n = n * 10 + (digits[i] - '0');
    if (keep >= 0 && digits[keep] >= '5')
        n++;
    if (n == 0)
        return 0;
    return x < 0 ? -((double)n / 100) : (double)n / 100;
}

double
od_health_round2(double x)
{
    double r, whole;

    if (!isfinite(x) || x == 0)
        return x == 0 ? 0 : x;
    /* x * 100 is within 10^-15 of the digits' value (relative): unless it is that
     * close to a half hundredth, rounding it gives the same hundredths, without
     * formatting x (most values; the others take the digits). */
    r = fabs(x) * 100;
    whole = floor(r);
    if (r < 1e12 && fabs(r - whole - 0.5) > 1e-9 * (r + 1)) {
        double n = whole + (r - whole > 0.5 ? 1 : 0);

        if (n == 0)
            return 0;
        return x < 0 ? -(n / 100) : n / 100;
    }
    return round2_digits(x);
}

const char *
od_health_bmi_category(double bmi)
{
    if (bmi < 18.5)
        return "underweight";
    if (bmi < 25)
        return "normal";
    if (bmi < 30)
        return "overweight";
    if (bmi < 35)
        return "obesity_1";
    if (bmi < 40)
        return "obesity_2";
    return "obesity_3";
}

const char *
od_health_compute(const od_health_body *b, od_arena *a, od_health_metrics *out)
{
    double bmr;
    const char *why;

    if ((unsigned)b->gender >= OD_GENDERS || (unsigned)b->activity >= OD_ACTIVITIES)
        return "has an unknown gender or activity level";
    if (!(b->height_cm >= OD_HEIGHT_CM_MIN && b->height_cm <= OD_HEIGHT_CM_MAX))
        return "height must be from 50 to 272 cm";
    if (!(b->weight_kg >= OD_WEIGHT_KG_MIN && b->weight_kg <= OD_WEIGHT_KG_MAX))
        return "weight must be from 2 to 650 kg";
    if (b->age < OD_AGE_MIN || b->age > OD_AGE_MAX)
        return "age must be from 0 to 130 years";
    out->bmi = od_health_round2(b->weight_kg * 10000 / (b->height_cm * b->height_cm));
    if (out->bmi < BMI_MIN || out->bmi > BMI_MAX) {
        why = od_arena_printf(a, "height %.6g cm and weight %.6g kg give a BMI of %.2f, "
                              "outside 5 to 250: check the units", b->height_cm,
                              b->weight_kg, out->bmi);
        return why ? why : "height and weight give a BMI outside 5 to 250: check the units";
    }
    out->bmi_category = od_health_bmi_category(out->bmi);
    bmr = 10 * b->weight_kg + 6.25 * b->height_cm - 5.0 * b->age + gender_constant[b->gender];
    if (bmr <= 0)
        return "Mifflin-St Jeor gives no positive BMR for this age, height and weight";
    out->bmr = od_health_round2(bmr);
    out->tdee = od_health_round2(bmr * activity_factor[b->activity]);
    return NULL;
}

/* One clinician target on a nutrient: a number (a maximum) or {min, max, kind}. */
static void
check_target(json_object *v, const char *key, const char *ptr, od_arena *a, od_issues *is)
{
    double hi = od_dietrule_unit_max((od_rule_unit)od_dietrule_unit_find(
                                         od_nutrient_unit(key)));
    const char *range = od_arena_printf(a, "must be a number from 0 to %g", hi);
    json_object *min = od_json_member(v, "min"), *max = od_json_member(v, "max");
    json_object *kind = od_json_member(v, "kind");
    double lo_v = 0, hi_v = 0;
    bool ok = true;

    if (od_json_number(v, &hi_v)) {
        if (hi_v < 0 || hi_v > hi)
            od_issues_report(is, ptr, range);
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        od_issues_report(is, ptr, "must be a daily maximum (a number) or an object "
                         "{\"min\", \"max\", \"kind\"}");
        return;
    }
    json_object_object_foreach(v, k, val) {
        (void)val;
        if (strcmp(k, "min") != 0 && strcmp(k, "max") != 0 && strcmp(k, "kind") != 0)
            od_issues_reportf(is, a, "is not a member of a target (min, max, kind)", "%s/%s",
                              ptr, od_json_pointer_token(a, k));
    }
    if (min == NULL && max == NULL) {
        od_issues_report(is, ptr, "needs min, max or both");
        return;
    }
    if (min != NULL && (!od_json_number(min, &lo_v) || lo_v < 0 || lo_v > hi)) {
        od_issues_reportf(is, a, range, "%s/min", ptr);
        ok = false;
    }
    if (max != NULL && (!od_json_number(max, &hi_v) || hi_v < 0 || hi_v > hi)) {
        od_issues_reportf(is, a, range, "%s/max", ptr);
        ok = false;
    }
    if (ok && min != NULL && max != NULL && lo_v > hi_v)
        od_issues_reportf(is, a, "must not be above max", "%s/min", ptr);
    if (kind != NULL && (!json_object_is_type(kind, json_type_string) ||
                         (strcmp(json_object_get_string(kind), "hard") != 0 &&
                          strcmp(json_object_get_string(kind), "soft") != 0)))
        od_issues_reportf(is, a, "must be hard or soft", "%s/kind", ptr);
    else if (kind != NULL && max == NULL && strcmp(json_object_get_string(kind), "hard") == 0)
        od_issues_reportf(is, a, "must be soft without max: a hard target excludes products "
                          "above a maximum", "%s/kind", ptr);
}

bool
od_health_targets_check(json_object *t, const char *prefix, od_arena *a, od_issues *is)
{
    unsigned before = is->count;

    if (t == NULL)
        return true;
    if (!json_object_is_type(t, json_type_object)) {
        od_issues_report(is, prefix, "must be an object of daily targets");
        return false;
    }
    json_object_object_foreach(t, key, v) {
        const char *ptr = od_arena_printf(a, "%s/%s", prefix, od_json_pointer_token(a, key));
        const char *unit = od_nutrient_unit(key);
        double d;

        if (ptr == NULL)
            ptr = prefix;
        if (strcmp(key, "pregnancy_trimester") == 0) {
            if (v == NULL || !json_object_is_type(v, json_type_int) ||
                json_object_get_int64(v) < 1 || json_object_get_int64(v) > 3)
                od_issues_report(is, ptr, "must be 1, 2 or 3");
        } else if (unit != NULL && strcmp(unit, "kcal") == 0) {
            if (!od_json_number(v, &d) || d < ENERGY_KCAL_MIN || d > ENERGY_KCAL_MAX)
                od_issues_report(is, ptr, "must be a daily energy target from 500 to 10000 kcal");
        } else if (unit != NULL) {
            check_target(v, key, ptr, a, is);
        } else {
            od_issues_report(is, ptr, "is not a target: use a canonical nutrient key "
                             "(sodium_mg, protein_g, ...), energy_kcal or pregnancy_trimester");
        }
    }
    return is->count == before;
}

/* --- derived_limits -------------------------------------------------------------- */

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A sorted, de-duplicated, arena-owned copy of list[0..n); *out_n its length. */
static const char **
sorted_set(const char *const *list, size_t n, od_arena *a, size_t *out_n)
{
    const char **s = od_arena_alloc(a, sizeof(*s) * (n + 1));
    size_t k = 0;

    *out_n = 0;
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (list[i] != NULL)
            s[k++] = list[i];
    }
    qsort(s, k, sizeof(*s), cmp_str);
    for (size_t i = 0; i < k; i++) {
        if (*out_n == 0 || strcmp(s[i], s[*out_n - 1]) != 0)
            s[(*out_n)++] = s[i];
    }
    return s;
}

static bool
has(const char **set, size_t n, const char *s)
{
    return s != NULL && bsearch(&s, set, n, sizeof(*set), cmp_str) != NULL;
}

/* The first string of arr that the customer's conditions hold (or goals, with
 * goals), or NULL. */
static const char *
first_held(json_object *arr, const char **set, size_t n)
{
    size_t len = arr && json_object_is_type(arr, json_type_array)
                     ? json_object_array_length(arr) : 0;

    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(arr, i);

        if (json_object_is_type(e, json_type_string) &&
            has(set, n, json_object_get_string(e)))
            return json_object_get_string(e);
    }
    return NULL;
}

/* The strings of arr joined with ", " (arena-owned). */
static const char *
join(json_object *arr, od_arena *a)
{
    const char *s = "";

    for (size_t i = 0; i < json_object_array_length(arr); i++)
        s = od_arena_printf(a, "%s%s%s", s, i ? ", " : "",
                            json_object_get_string(json_object_array_get_idx(arr, i)));
    return s ? s : "";
}

static void
ignore_issue(void *arg, const char *pointer, const char *detail)
{
    (void)arg;
    (void)pointer;
    (void)detail;
}

/* True when candidate should replace current for the same condition: the vendor's
 * row over the global one, then the higher version. */
static bool
better(const od_health_policy *candidate, const od_health_policy *current)
{
    if (candidate->vendor != current->vendor)
        return candidate->vendor;
    return candidate->version > current->version;
}

static int
cmp_chosen(const void *x, const void *y)
{
    return strcmp(((const chosen *)x)->in->condition, ((const chosen *)y)->in->condition);
}

/* Picks the policies that apply: for a condition the customer has, or for one of
 * the policy's applies_to_goals the customer has; one per condition, in condition
 * order. Reads none of their rules. */
static bool
pick_policies(derive *d, const char **goals, size_t n_goals)
{
    const od_health_input *in = d->in;

    d->pols = od_arena_alloc(d->a, sizeof(*d->pols) * (in->n_policies + 1));
    if (d->pols == NULL)
        return false;
    for (size_t i = 0; i < in->n_policies; i++) {
        const od_health_policy *p = &in->policies[i];
        const char *goal = NULL, *matched;
        size_t k;

        if (p->condition == NULL || p->policy == NULL)
            continue;
        if (has(d->conds, d->n_conds, p->condition))
            matched = "condition";
        else if ((goal = first_held(od_json_member(p->policy, "applies_to_goals"), goals, n_goals)))
            matched = od_arena_printf(d->a, "goal:%s", goal);
        else
            continue;
        for (k = 0; k < d->n_pols && strcmp(d->pols[k].in->condition, p->condition) != 0; k++)
            ;
        if (k < d->n_pols && !better(p, d->pols[k].in))
            continue;
        if (k == d->n_pols)
            d->n_pols++;
        d->pols[k] = (chosen){ p, NULL, matched ? matched : "goal" };
    }
    qsort(d->pols, d->n_pols, sizeof(*d->pols), cmp_chosen);
    return true;
}

/* Picks the policies that apply and reads their rules. */
static bool
choose_policies(derive *d, const char **goals, size_t n_goals)
{
    if (!pick_policies(d, goals, n_goals))
        return false;
    for (size_t k = 0; k < d->n_pols; k++) {
        od_issues sink = { ignore_issue, NULL, 0 };

        d->pols[k].dp = od_dietrule_read(d->pols[k].in->policy, d->pols[k].in->condition,
                                         NULL, d->a, &sink);
    }
    return true;
}

/* The condition whose policy suppresses key ("<condition>.<rule id>"), or NULL. */
static const char *
suppressor(const derive *d, const char *key)
{
    for (size_t k = 0; k < d->n_pols; k++) {
        json_object *s = d->pols[k].dp ? d->pols[k].dp->suppresses : NULL;

        for (size_t i = 0; s != NULL && i < json_object_array_length(s); i++) {
            if (strcmp(json_object_get_string(json_object_array_get_idx(s, i)), key) == 0)
                return d->pols[k].in->condition;
        }
    }
    return NULL;
}

/* The status of a policy's rule from enabled, when and suppresses. */
static void
rule_status(derive *d, item *it)
{
    const od_dietrule *r = it->rule;

    if (!r->enabled) {
        it->st = ST_DISABLED;
    } else if (r->when_any && first_held(r->when_any, d->conds, d->n_conds) == NULL) {
        it->st = ST_WHEN;
        it->detail = od_arena_printf(d->a, "applies only with one of: %s",
                                     join(r->when_any, d->a));
    } else if (r->when_none && first_held(r->when_none, d->conds, d->n_conds) != NULL) {
        it->st = ST_WHEN;
        it->detail = od_arena_printf(d->a, "does not apply with: %s",
                                     first_held(r->when_none, d->conds, d->n_conds));
    } else if ((it->by = suppressor(d, it->key)) != NULL) {
        it->st = ST_SUPPRESSED;
    }
}

/* A clinician target on a nutrient as an item (the target passed
 * od_health_targets_check). */
static void
clinician_item(derive *d, item *it, const char *key, json_object *v)
{
    json_object *min = od_json_member(v, "min"), *max = od_json_member(v, "max");
    json_object *kind = od_json_member(v, "kind");

    it->key = od_arena_printf(d->a, "macro_targets.%s", key);
    it->field = it->key;
    it->type = OD_RULE_NUTRIENT;
    it->nutrient = key;
    it->expr = v;
    if (od_json_number(v, &it->value)) {
        it->op = OD_OP_LE;
        it->hard = true;
        return;
    }
    it->min = min ? json_object_get_double(min) : 0;
    it->max = max ? json_object_get_double(max) : 0;
    it->op = min && max ? OD_OP_BETWEEN : max ? OD_OP_LE : OD_OP_GE;
    it->value = max ? it->max : it->min;
    it->hard = kind ? strcmp(json_object_get_string(kind), "hard") == 0 : max != NULL;
}

/* Collects the items: each rule of each valid chosen policy, then the clinician's
 * nutrient targets (sorted by key), then the customer's allergens. */
static bool
collect(derive *d)
{
    json_object *mt = d->in->macro_targets;
    size_t n = 1 + (mt ? (size_t)json_object_object_length(mt) : 0);
    const char **keys;
    size_t n_keys = 0;

    for (size_t k = 0; k < d->n_pols; k++)
        n += d->pols[k].dp ? d->pols[k].dp->n_rules : 0;
    d->items = od_arena_alloc(d->a, sizeof(*d->items) * n);
    keys = od_arena_alloc(d->a, sizeof(*keys) * n);
    if (d->items == NULL || keys == NULL)
        return false;
    memset(d->items, 0, sizeof(*d->items) * n);
    for (size_t k = 0; k < d->n_pols; k++) {
        for (size_t i = 0; d->pols[k].dp && i < d->pols[k].dp->n_rules; i++) {
            item *it = &d->items[d->n_items++];

            it->pol = &d->pols[k];
            it->rule = &d->pols[k].dp->rules[i];
            it->key = od_arena_printf(d->a, "%s.%s", d->pols[k].in->condition, it->rule->id);
            it->type = it->rule->type;
            it->hard = it->rule->hard;
            it->nutrient = it->rule->nutrient;
            it->op = it->rule->op;
            if (it->key == NULL)
                return false;
            rule_status(d, it);
        }
    }
    if (mt != NULL) {
        json_object_object_foreach(mt, key, v) {
            (void)v;
            if (od_nutrient_unit(key) != NULL && strcmp(od_nutrient_unit(key), "kcal") != 0)
                keys[n_keys++] = key;
        }
    }
    qsort(keys, n_keys, sizeof(*keys), cmp_str);
    for (size_t i = 0; i < n_keys; i++) {
        item *it = &d->items[d->n_items++];

        clinician_item(d, it, keys[i], od_json_member(mt, keys[i]));
        if (it->key == NULL)
            return false;
        /* Clinician beats template: soft rules on the same nutrient step aside (a
         * hard rule always holds). */
        for (size_t j = 0; j + 1 < d->n_items; j++) {
            item *t = &d->items[j];

            if (t->rule != NULL && t->st == ST_ACTIVE && t->type == OD_RULE_NUTRIENT &&
                !t->hard && strcmp(t->nutrient, keys[i]) == 0) {
                t->st = ST_CLINICIAN;
                t->by = it->key;
            }
        }
    }
    if (d->in->n_avoid_allergens > 0) {
        size_t na;
        const char **al = sorted_set(d->in->avoid_allergens, d->in->n_avoid_allergens, d->a,
                                     &na);
        item *it = &d->items[d->n_items++];

        if (al == NULL)
            return false;
        it->key = "customer.avoid_allergens";
        it->field = "avoid_allergens";
        it->type = OD_RULE_EXCLUDE;
        it->hard = true;
        it->allergens = json_object_new_array();
        for (size_t i = 0; i < na; i++)
            json_object_array_add(it->allergens, json_object_new_string(al[i]));
        if (od_json_own(d->a, it->allergens) == NULL)
            return false;
    }
    return true;
}

/* Sets the daily energy target: TDEE, plus the increases, minus the deficits (to
 * at most the smallest max_delta_kcal), held up by the highest floor but never
 * above TDEE plus the increases; or the clinician's energy_kcal. */
static void
plan_energy(derive *d)
{
    double pos = 0, neg = 0, cap = 0, raised, lowest;
    bool have_neg = false, any = false;
    od_gender g = d->in->body.gender;

    for (size_t i = 0; i < d->n_items; i++) {
        item *it = &d->items[i];
        const od_dietrule *r = it->rule;

        if (r == NULL || it->type != OD_RULE_ENERGY || it->st != ST_ACTIVE)
            continue;
        if (d->clinician_kcal != NULL) {
            it->st = ST_CLINICIAN;
            it->by = "macro_targets.energy_kcal";
            continue;
        }
        it->delta = !r->by_trimester ? r->delta_kcal
                    : d->trimester > 0 ? r->trimester_delta[d->trimester - 1] : 0;
        if (r->by_trimester && d->trimester == 0)
            it->detail = "macro_targets.pregnancy_trimester is not set: no change";
        if (it->delta < 0 && has(d->conds, d->n_conds, "pregnancy")) {
            /* Pregnancy disables a deficit, whatever a policy says. */
            it->st = ST_PREGNANCY;
            it->by = "pregnancy";
            continue;
        }
        any = true;
        pos += it->delta > 0 ? it->delta : 0;
        if (it->delta < 0) {
            neg += it->delta;
            cap = have_neg && cap > r->max_delta_kcal ? cap : r->max_delta_kcal;
            have_neg = true;
        }
        if (r->has_floor && r->floor_kcal[g] > 0) {
            d->floor = d->floor > r->floor_kcal[g] ? d->floor : r->floor_kcal[g];
            d->has_floor = true;
        }
    }
    if (d->clinician_kcal != NULL) {
        d->target = od_health_round2(json_object_get_double(d->clinician_kcal));
        d->set_by = "clinician";
        return;
    }
    raised = d->m.tdee + pos;
    d->target = raised + (neg < cap ? cap : neg);
    lowest = d->floor < raised ? d->floor : raised;   /* never above TDEE + increases */
    if (d->has_floor && have_neg && d->target < lowest) {
        d->target = lowest;
        d->floored = true;
    }
    d->target = od_health_round2(d->target);
    d->set_by = any ? "diet_rules" : "tdee";
}

/* v of a policy's nutrient rule in the nutrient's own unit (2 decimals); notes
 * the basis of a relative unit in it. */
static double
resolve(derive *d, item *it, double v)
{
    switch (it->rule->unit) {
    case OD_UNIT_PCT_ENERGY:
        it->basis = "energy_target_kcal";
        it->basis_value = d->target;
        return od_health_round2(v / 100 * d->target / it->rule->kcal_per_g);
    case OD_UNIT_G_PER_1000KCAL:
        it->basis = "tdee_kcal";
        it->basis_value = d->m.tdee;
        return od_health_round2(v * d->m.tdee / 1000);
    case OD_UNIT_G_PER_KG:
        it->basis = "weight_kg";
        it->basis_value = d->in->body.weight_kg;
        return od_health_round2(v * d->in->body.weight_kg);
    default:
        return v;
    }
}

static void
resolve_all(derive *d)
{
    for (size_t i = 0; i < d->n_items; i++) {
        item *it = &d->items[i];

        if (it->rule == NULL || it->type != OD_RULE_NUTRIENT)
            continue;
        it->value = resolve(d, it, it->rule->value);
        it->min = resolve(d, it, it->rule->min);
        it->max = resolve(d, it, it->rule->max);
    }
}

/* --- the tightest bounds per nutrient ---------------------------------------- */

static bool
upper_of(const item *it, bound *b)
{
    if (it->op != OD_OP_LT && it->op != OD_OP_LE && it->op != OD_OP_BETWEEN)
        return false;
    *b = (bound){ it->op == OD_OP_BETWEEN ? it->max : it->value, it->op == OD_OP_LT, true };
    return true;
}

static bool
lower_of(const item *it, bound *b)
{
    if (it->op != OD_OP_GT && it->op != OD_OP_GE && it->op != OD_OP_BETWEEN)
        return false;
    *b = (bound){ it->op == OD_OP_BETWEEN ? it->min : it->value, it->op == OD_OP_GT, true };
    return true;
}

/* a is tighter than b (or b is unset): a lower maximum, a higher minimum; at equal
 * values the strict one. */
static bool
tighter(bound a, bound b, bool upper)
{
    if (!b.set)
        return true;
    if (a.v != b.v)
        return upper ? a.v < b.v : a.v > b.v;
    return a.strict && !b.strict;
}

static bool
same(bound a, bound b)
{
    return a.v == b.v && a.strict == b.strict;
}

/* Nothing can be both >= lo and <= up. */
static bool
conflicts(bound lo, bound up)
{
    return lo.v > up.v || (lo.v == up.v && (lo.strict || up.strict));
}

/* A number rounded to hundredths, written without trailing zeros ("1811.08",
 * "32.4", "50"). */
static json_object *
num(double v)
{
    char buf[48], *p = buf, digits[24];
    long long n, whole;
    int i = 0, cents;

    v = od_health_round2(v);
    if (fabs(v) >= 1e12) {  /* not rounded (od_health_round2): printed, then trimmed */
        size_t len = (size_t)snprintf(buf, sizeof(buf), "%.2f", v);

        while (buf[len - 1] == '0')
            buf[--len] = '\0';
        if (buf[len - 1] == '.')
            buf[--len] = '\0';
        return json_object_new_double_s(v, buf);
    }
    /* v is a multiple of 0.01 to the double's precision: its hundredths are exact. */
    n = (long long)(fabs(v) * 100 + 0.5);
    whole = n / 100;
    cents = (int)(n % 100);
    if (v < 0 && n != 0)
        *p++ = '-';
    do {
        digits[i++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole > 0);
    while (i > 0)
        *p++ = digits[--i];
    if (cents != 0) {
        *p++ = '.';
        *p++ = (char)('0' + cents / 10);
        if (cents % 10 != 0)
            *p++ = (char)('0' + cents % 10);
    }
    *p = '\0';
    return json_object_new_double_s(v, buf);
}

/* The tightest upper (or lower) bound of the active items of lim[0..n) (one
 * nutrient's), of the hard ones only with hard_only; unset when there is none. */
static bound
tightest(item **lim, size_t n, bool upper, bool hard_only)
{
    bound best = { 0, false, false }, b;

    for (size_t i = 0; i < n; i++) {
        if (lim[i]->st != ST_ACTIVE || (hard_only && !lim[i]->hard))
            continue;
        if ((upper ? upper_of(lim[i], &b) : lower_of(lim[i], &b)) && tighter(b, best, upper))
            best = b;
    }
    return best;
}

/* {"value", "op", ["kind"], "by": [keys]} of bound b among lim[0..n). */
static json_object *
bound_json(item **lim, size_t n, bound b, bool upper, bool hard_only)
{
    json_object *o = json_object_new_object(), *by = json_object_new_array();
    bool hard = false;
    bound x;

    for (size_t i = 0; i < n; i++) {
        if (lim[i]->st != ST_ACTIVE || (hard_only && !lim[i]->hard) ||
            !(upper ? upper_of(lim[i], &x) : lower_of(lim[i], &x)) || !same(x, b))
            continue;
        hard = hard || lim[i]->hard;
        json_object_array_add(by, json_object_new_string(lim[i]->key));
    }
    json_object_object_add(o, "value", num(b.v));
    json_object_object_add(o, "op", json_object_new_string(
                               upper ? (b.strict ? "<" : "<=") : (b.strict ? ">" : ">=")));
    if (upper && !hard_only)
        json_object_object_add(o, "kind", json_object_new_string(hard ? "hard" : "soft"));
    json_object_object_add(o, "by", by);
    return o;
}

/* The first key (in lim's order) of an active item whose upper bound is b. */
static const char *
upper_key(item **lim, size_t n, bound b)
{
    bound x;

    for (size_t i = 0; i < n; i++) {
        if (lim[i]->st == ST_ACTIVE && upper_of(lim[i], &x) && same(x, b))
            return lim[i]->key;
    }
    return NULL;
}

/* One nutrient's entry of "effective" from its items lim[0..n) (sorted by key);
 * a goal that no amount can meet under the tightest maximum steps aside
 * (status conflict). Returns NULL when nothing of the nutrient is active. */
static json_object *
effective_one(item **lim, size_t n, const char *nutrient)
{
    bound up = tightest(lim, n, true, false), hard = tightest(lim, n, true, true), lo, b;
    json_object *o;

    for (size_t i = 0; up.set && i < n; i++) {
        if (lim[i]->st == ST_ACTIVE && lower_of(lim[i], &b) && conflicts(b, up)) {
            lim[i]->st = ST_CONFLICT;
            lim[i]->by = upper_key(lim, n, up);
        }
    }
    lo = tightest(lim, n, false, false);
    if (!up.set && !lo.set)
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "unit", json_object_new_string(od_nutrient_unit(nutrient)));
    if (up.set)
        json_object_object_add(o, "max", bound_json(lim, n, up, true, false));
    if (hard.set)
        json_object_object_add(o, "hard_max", bound_json(lim, n, hard, true, true));
    if (lo.set)
        json_object_object_add(o, "min", bound_json(lim, n, lo, false, false));
    return o;
}

/* --- output ------------------------------------------------------------------ */

static int
cmp_item_key(const void *x, const void *y)
{
    return strcmp((*(item *const *)x)->key, (*(item *const *)y)->key);
}

static int
cmp_item_nutrient(const void *x, const void *y)
{
    int c = strcmp((*(item *const *)x)->nutrient, (*(item *const *)y)->nutrient);

    return c != 0 ? c : cmp_item_key(x, y);
}

/* The items of d that pass keep, sorted by cmp; *n their number. */
static item **
select_items(derive *d, bool (*keep)(const item *), int (*cmp)(const void *, const void *),
             size_t *n)
{
    item **out = od_arena_alloc(d->a, sizeof(*out) * (d->n_items + 1));

    *n = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < d->n_items; i++) {
        if (keep(&d->items[i]))
            out[(*n)++] = &d->items[i];
    }
    qsort(out, *n, sizeof(*out), cmp);
    return out;
}

static bool
is_limit(const item *it)
{
    return it->type == OD_RULE_NUTRIENT && it->st == ST_ACTIVE;
}

static bool
is_exclusion(const item *it)
{
    return it->type == OD_RULE_EXCLUDE && it->st == ST_ACTIVE;
}

static bool
is_inactive(const item *it)
{
    return it->st != ST_ACTIVE;
}

static bool
is_adjustment(const item *it)
{
    return it->type == OD_RULE_ENERGY && it->st == ST_ACTIVE;
}

static void
add_str(json_object *o, const char *name, const char *s)
{
    json_object_object_add(o, name, s ? json_object_new_string(s) : NULL);
}

/* A borrowed member of the rule's JSON, as a new reference; absent ones are left
 * out. */
static void
copy_member(json_object *o, json_object *rule, const char *name)
{
    json_object *v = od_json_member(rule, name);

    if (v != NULL)
        json_object_object_add(o, name, json_object_get(v));
}

static json_object *
from_json(const item *it)
{
    json_object *o = json_object_new_object();

    if (it->pol == NULL) {
        add_str(o, "origin", strncmp(it->key, "macro_targets.", 14) == 0 ? "clinician"
                                                                         : "customer");
        add_str(o, "field", it->field);
        return o;
    }
    add_str(o, "origin", "diet_rule");
    add_str(o, "condition", it->pol->in->condition);
    add_str(o, "rule_id", it->rule->id);
    json_object_object_add(o, "version", json_object_new_int(it->pol->in->version));
    add_str(o, "scope", it->pol->in->vendor ? "vendor" : "global");
    add_str(o, "source", it->rule->source);
    add_str(o, "matched_by", it->pol->matched_by);
    return o;
}

static json_object *
limit_json(const item *it)
{
    json_object *o = json_object_new_object(), *expr;

    add_str(o, "key", it->key);
    add_str(o, "nutrient", it->nutrient);
    add_str(o, "op", od_dietrule_op_name(it->op));
    if (it->op == OD_OP_BETWEEN) {
        json_object_object_add(o, "min", num(it->min));
        json_object_object_add(o, "max", num(it->max));
    } else {
        json_object_object_add(o, "value", num(it->value));
    }
    add_str(o, "unit", od_nutrient_unit(it->nutrient));
    add_str(o, "kind", it->hard ? "hard" : "soft");
    if (!it->hard)
        json_object_object_add(o, "weight", num(it->rule ? it->rule->weight : 1));
    if (it->rule != NULL) {
        expr = json_object_new_object();
        copy_member(expr, it->rule->json, "op");
        copy_member(expr, it->rule->json, "value");
        copy_member(expr, it->rule->json, "min");
        copy_member(expr, it->rule->json, "max");
        copy_member(expr, it->rule->json, "unit");
        copy_member(expr, it->rule->json, "kcal_per_g");
    } else {
        expr = json_object_get(it->expr);
    }
    json_object_object_add(o, "expr", expr);
    if (it->basis != NULL) {
        json_object *basis = json_object_new_object();

        json_object_object_add(basis, it->basis, num(it->basis_value));
        json_object_object_add(o, "basis", basis);
    }
    json_object_object_add(o, "from", from_json(it));
    return o;
}

static json_object *
exclusion_json(const item *it)
{
    json_object *o = json_object_new_object();
    json_object *al = it->rule ? it->rule->allergens : it->allergens;
    json_object *words = it->rule ? it->rule->ingredients_any : NULL;
    json_object *unless = it->rule ? it->rule->unless_tags : NULL;

    add_str(o, "key", it->key);
    add_str(o, "kind", "hard");
    json_object_object_add(o, "allergens", al ? json_object_get(al) : json_object_new_array());
    json_object_object_add(o, "ingredients_any",
                           words ? json_object_get(words) : json_object_new_array());
    json_object_object_add(o, "unless_dietary_tags",
                           unless ? json_object_get(unless) : json_object_new_array());
    json_object_object_add(o, "from", from_json(it));
    return o;
}

static json_object *
inactive_json(const item *it)
{
    json_object *o = json_object_new_object();

    add_str(o, "key", it->key);
    add_str(o, "type", type_names[it->type]);
    add_str(o, "reason", status_names[it->st]);
    add_str(o, "by", it->by);
    if (it->detail != NULL)
        add_str(o, "detail", it->detail);
    json_object_object_add(o, "from", from_json(it));
    return o;
}

static json_object *
energy_json(derive *d)
{
    json_object *o = json_object_new_object(), *adj = json_object_new_array();
    item **list;
    size_t n;

    json_object_object_add(o, "target_kcal", num(d->target));
    add_str(o, "set_by", d->set_by);
    json_object_object_add(o, "tdee_kcal", num(d->m.tdee));
    json_object_object_add(o, "delta_kcal", num(d->target - d->m.tdee));
    json_object_object_add(o, "floor_kcal", d->has_floor ? num(d->floor) : NULL);
    json_object_object_add(o, "floored", json_object_new_boolean(d->floored));
    list = select_items(d, is_adjustment, cmp_item_key, &n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        json_object *e = json_object_new_object();
        const od_dietrule *r = list[i]->rule;

        add_str(e, "key", list[i]->key);
        json_object_object_add(e, "delta_kcal", num(list[i]->delta));
        if (r->by_trimester)
            json_object_object_add(e, "trimester",
                                   d->trimester ? json_object_new_int(d->trimester) : NULL);
        else if (r->max_delta_kcal != r->delta_kcal)
            json_object_object_add(e, "max_delta_kcal", num(r->max_delta_kcal));
        if (r->has_floor)
            json_object_object_add(e, "floor_kcal",
                                   num(r->floor_kcal[d->in->body.gender]));
        if (list[i]->detail != NULL)
            add_str(e, "detail", list[i]->detail);
        json_object_object_add(e, "from", from_json(list[i]));
        json_object_array_add(adj, e);
    }
    json_object_object_add(o, "adjustments", adj);
    if (d->clinician_kcal != NULL) {
        json_object *from = json_object_new_object();

        add_str(from, "origin", "clinician");
        add_str(from, "field", "macro_targets.energy_kcal");
        json_object_object_add(o, "from", from);
    }
    return o;
}

static json_object *
policies_json(derive *d)
{
    json_object *arr = json_object_new_array();

    for (size_t k = 0; k < d->n_pols; k++) {
        json_object *o = json_object_new_object();

        add_str(o, "condition", d->pols[k].in->condition);
        json_object_object_add(o, "version", json_object_new_int(d->pols[k].in->version));
        add_str(o, "scope", d->pols[k].in->vendor ? "vendor" : "global");
        add_str(o, "matched_by", d->pols[k].matched_by);
        add_str(o, "status", d->pols[k].dp ? "applied" : "invalid");
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *
unmatched_json(derive *d)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; i < d->n_conds; i++) {
        size_t k = 0;

        while (k < d->n_pols && strcmp(d->pols[k].in->condition, d->conds[i]) != 0)
            k++;
        if (k == d->n_pols)
            json_object_array_add(arr, json_object_new_string(d->conds[i]));
    }
    return arr;
}

/* "effective" (marking goals in conflict) and "limits", from the sorted active
 * nutrient items. */
static bool
limits_json(derive *d, json_object **effective, json_object **limits)
{
    size_t n;
    item **lim = select_items(d, is_limit, cmp_item_nutrient, &n);

    if (lim == NULL)
        return false;
    *effective = json_object_new_object();
    for (size_t i = 0, j; i < n; i = j) {
        json_object *e;

        for (j = i; j < n && strcmp(lim[j]->nutrient, lim[i]->nutrient) == 0; j++)
            ;
        e = effective_one(lim + i, j - i, lim[i]->nutrient);
        if (e != NULL)
            json_object_object_add(*effective, lim[i]->nutrient, e);
    }
    *limits = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        if (lim[i]->st == ST_ACTIVE)
            json_object_array_add(*limits, limit_json(lim[i]));
    }
    return true;
}

static json_object *
items_json(derive *d, bool (*keep)(const item *), json_object *(*write)(const item *))
{
    json_object *arr = json_object_new_array();
    size_t n;
    item **list = select_items(d, keep, cmp_item_key, &n);

    for (size_t i = 0; list != NULL && i < n; i++)
        json_object_array_add(arr, write(list[i]));
    return arr;
}

json_object *
od_health_derive(const od_health_input *in, od_arena *a, const char **why)
{
    derive d;
    const char **goals;
    size_t n_goals;
    json_object *out, *effective = NULL, *limits = NULL, *energy, *tri;

    memset(&d, 0, sizeof(d));
    d.in = in;
    d.a = a;
    *why = od_health_compute(&in->body, a, &d.m);
    if (*why != NULL)
        return NULL;
    *why = "out of memory";
    d.conds = sorted_set(in->conditions, in->n_conditions, a, &d.n_conds);
    goals = sorted_set(in->diet_goals, in->n_diet_goals, a, &n_goals);
    tri = od_json_member(in->macro_targets, "pregnancy_trimester");
    d.trimester = tri && json_object_is_type(tri, json_type_int) &&
                  json_object_get_int(tri) >= 1 && json_object_get_int(tri) <= 3
                  ? json_object_get_int(tri) : 0;
    d.clinician_kcal = od_json_member(in->macro_targets, "energy_kcal");
    if (d.conds == NULL || goals == NULL || !choose_policies(&d, goals, n_goals) ||
        !collect(&d))
        return NULL;
    plan_energy(&d);
    resolve_all(&d);
    energy = energy_json(&d);
    if (!limits_json(&d, &effective, &limits)) {
        json_object_put(energy);
        return NULL;
    }
    out = json_object_new_object();
    json_object_object_add(out, "schema_version", json_object_new_int(1));
    json_object_object_add(out, "policies", policies_json(&d));
    json_object_object_add(out, "conditions_without_policy", unmatched_json(&d));
    json_object_object_add(out, "energy", energy);
    json_object_object_add(out, "limits", limits);
    json_object_object_add(out, "effective", effective);
    json_object_object_add(out, "exclusions", items_json(&d, is_exclusion, exclusion_json));
    json_object_object_add(out, "inactive", items_json(&d, is_inactive, inactive_json));
    *why = NULL;
    return out;
}

bool
od_health_current(json_object *stored, const od_health_input *in, od_arena *a)
{
    json_object *pols = od_json_member(stored, "policies");
    const char **goals;
    size_t n_goals;
    derive d;

    if (pols == NULL || !json_object_is_type(pols, json_type_array))
        return false;
    memset(&d, 0, sizeof(d));
    d.in = in;
    d.a = a;
    d.conds = sorted_set(in->conditions, in->n_conditions, a, &d.n_conds);
    goals = sorted_set(in->diet_goals, in->n_diet_goals, a, &n_goals);
    if (d.conds == NULL || goals == NULL || !pick_policies(&d, goals, n_goals) ||
        json_object_array_length(pols) != d.n_pols)
        return false;
    for (size_t k = 0; k < d.n_pols; k++) {
        json_object *p = json_object_array_get_idx(pols, k), *version;
        const char *cond = od_json_string(od_json_member(p, "condition"));
        const char *scope = od_json_string(od_json_member(p, "scope"));

        version = od_json_member(p, "version");
        if (cond == NULL || scope == NULL || version == NULL ||
            strcmp(cond, d.pols[k].in->condition) != 0 ||
            json_object_get_int(version) != d.pols[k].in->version ||
            strcmp(scope, d.pols[k].in->vendor ? "vendor" : "global") != 0)
            return false;
    }
    return true;
}
