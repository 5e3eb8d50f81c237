/* customer.c: one customer, checked field by field, every problem reported with
 * the JSON pointer of the field; the output is the canonical row for the upsert. */
#include "domain/customer.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "domain/check.h"

#define OD_TAGS_MAX       100   /* custom tags per customer */
#define OD_LOCATION_MAX   20    /* members of a location */
#define OD_EMAIL_MAX      254
#define OD_EMAIL_LOCAL    64
#define OD_DOMAIN_LABEL   63

/* Every member a client may send, in output order. */
static const char *const members[] = {
    "external_id", "full_name", "email", "dob", "age", "gender", "location", "phone",
    "custom_tags",
};

static const char *const read_only[] = {
    "id", "created_at", "updated_at", "created_by", "updated_by",
};

static const char *const genders[] = { "male", "female", "other", "unspecified" };

bool
od_customer_read_only(const char *member)
{
    return od_check_in(member, read_only, sizeof(read_only) / sizeof(read_only[0]));
}

/* ----------------------------------------------------------------------------
 * Dates and ages
 * ------------------------------------------------------------------------- */

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool
od_customer_date(const char *s, od_date *out)
{
    int n[8];

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0, k = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        n[k++] = s[i] - '0';
    }
    out->year = n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3];
    out->month = n[4] * 10 + n[5];
    out->day = n[6] * 10 + n[7];
    return out->year >= 1 && out->month >= 1 && out->month <= 12 && out->day >= 1 &&
           out->day <= month_days(out->year, out->month);
}

static int
date_cmp(od_date a, od_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    return a.day < b.day ? -1 : a.day > b.day;
}

int
od_customer_age(od_date dob, od_date today)
{
    int age = today.year - dob.year;

    /* Not yet this year's birthday: (month, day) compared as numbers, so 29
     * February is reached on 1 March of a common year, as PostgreSQL's age(). */
    if (today.month < dob.month || (today.month == dob.month && today.day < dob.day))
        age--;
    return age;
}

/* ----------------------------------------------------------------------------
 * E-mail, phone, gender
 * ------------------------------------------------------------------------- */

static bool
alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static bool
atext(char ch)
{
    return alpha(ch) || digit(ch) || (ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL);
}

/* A dot-atom: atext runs joined by single dots. */
static bool
dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !atext(s[i]))
            return false;
    }
    return true;
}

/* Host name labels: letters, digits, inner hyphens; at least two labels; the
 * last alphabetic (or an IDNA "xn--" label), so that no IP address passes. */
static bool
domain_ok(const char *s, size_t n)
{
    size_t start = 0, labels = 0;

    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!alpha(s[i]) && !digit(s[i]) && s[i] != '-')
                return false;
            continue;
        }
        if (i == start || i - start > OD_DOMAIN_LABEL || s[start] == '-' || s[i - 1] == '-')
            return false;
        labels++;
        if (i == n) {
            bool letters = i - start >= 2;

            for (size_t k = start; k < i && letters; k++)
                letters = alpha(s[k]);
            if (!letters && !(i - start > 4 && strncmp(s + start, "xn--", 4) == 0) &&
                !(i - start > 4 && strncmp(s + start, "XN--", 4) == 0))
                return false;
        }
        start = i + 1;
    }
    return labels >= 2;
}

const char *
od_customer_email(const char *s, od_arena *a, const char **why)
{
    const char *at = s ? strchr(s, '@') : NULL;
    size_t n = s ? strlen(s) : 0, local;
    char *out;

    *why = "must be an e-mail address such as ann@example.com";
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            *why = "must be an ASCII e-mail address (internationalised addresses are not "
                   "accepted)";
            return NULL;
        }
    }
    if (at == NULL || strchr(at + 1, '@') != NULL)
        return NULL;
    if (n > OD_EMAIL_MAX) {
        *why = "must be at most 254 characters long";
        return NULL;
    }
    local = (size_t)(at - s);
    if (local > OD_EMAIL_LOCAL || !dot_atom(s, local) || !domain_ok(at + 1, n - local - 1))
        return NULL;
    if ((out = od_arena_strdup(a, s)) == NULL) {
        *why = "could not be read";
        return NULL;
    }
    for (char *p = out + local + 1; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

bool
od_customer_phone(const char *s)
{
    size_t n;

    if (s == NULL || s[0] != '+')
        return false;
    n = strlen(s + 1);
    if (n < 8 || n > 15 || s[1] == '0')
        return false;
    return strspn(s + 1, "0123456789") == n;
}

const char *
od_customer_gender(const od_vocab *vocab, const char *word)
{
    const char *known = od_vocab_lookup(vocab, OD_VOCAB_GENDER, word);
    char key[32];

    if (known == NULL && od_vocab_key(word, key, sizeof(key)))
        known = key;
    for (size_t i = 0; known != NULL && i < sizeof(genders) / sizeof(genders[0]); i++) {
        if (strcmp(known, genders[i]) == 0)
            return genders[i];
    }
    return NULL;
}

/* ----------------------------------------------------------------------------
 * Members
 * ------------------------------------------------------------------------- */

static void
email(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "email");
    const char *s = od_json_string(v), *out, *why;

    if (v == NULL) {
        od_check_bad(c, "email", -1, NULL, "is required");
        return;
    }
    if (s == NULL) {
        od_check_bad(c, "email", -1, NULL, "must be a string");
        return;
    }
    out = od_customer_email(s, c->a, &why);
    if (out == NULL) {
        od_check_bad(c, "email", -1, NULL, why);
        return;
    }
    json_object_object_add(c->out, "email", json_object_new_string(out));
}

/* dob and age: at least one; a real date from 1900-01-01 to today; 0 to 130;
 * when both are sent they agree. The row keeps age only without dob. */
static void
dob_age(od_check *c, json_object *item, od_date today)
{
    static const od_date first = { 1900, 1, 1 };
    json_object *d = od_json_member(item, "dob"), *g = od_json_member(item, "age");
    od_date dob;
    bool dob_ok = false, age_ok = false;
    int64_t age = 0;

    if (d == NULL && g == NULL) {
        od_check_bad(c, "dob", -1, NULL, "dob or age is required");
        return;
    }
    if (d != NULL) {
        if (!od_customer_date(od_json_string(d), &dob))
            od_check_bad(c, "dob", -1, NULL, "must be a date written YYYY-MM-DD");
        else if (date_cmp(dob, first) < 0)
            od_check_bad(c, "dob", -1, NULL, "must be 1900-01-01 or later");
        else if (date_cmp(dob, today) > 0)
            od_check_bad(c, "dob", -1, NULL, "must not be in the future");
        else
            dob_ok = true;
    }
    if (g != NULL) {
        if (!json_object_is_type(g, json_type_int) || json_object_get_int64(g) < 0 ||
            json_object_get_int64(g) > 130)
            od_check_bad(c, "age", -1, NULL, "must be a whole number from 0 to 130");
        else
            age_ok = true;
        age = json_object_get_int64(g);
    }
    if (dob_ok && age_ok && age != od_customer_age(dob, today))
        od_check_bad(c, "age", -1, NULL, od_arena_printf(c->a, "does not agree with dob: "
                     "someone born on %s is %d today", json_object_get_string(d),
                     od_customer_age(dob, today)));
    json_object_object_add(c->out, "dob", dob_ok ? json_object_get(d) : NULL);
    json_object_object_add(c->out, "age", d == NULL && age_ok ? json_object_get(g) : NULL);
}

static void
gender(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "gender");
    const char *s = od_json_string(v), *g = NULL;

    if (v == NULL) {
        od_check_bad(c, "gender", -1, NULL, "is required");
        return;
    }
    if (s != NULL && strlen(s) <= 64)
        g = od_customer_gender(c->ctx, s);
    if (g == NULL) {
        od_check_bad(c, "gender", -1, NULL, "must be male, female, other or unspecified "
                     "(or a synonym such as F, M, woman)");
        return;
    }
    json_object_object_add(c->out, "gender", json_object_new_string(g));
}

/* A flat object: at most 20 members whose values are strings of at most 500
 * bytes, numbers, booleans or null. */
static void
location(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "location");
    bool ok = true;

    if (v == NULL) {
        od_check_bad(c, "location", -1, NULL, "is required: an object such as "
                     "{\"city\": \"Austin\", \"state\": \"TX\"}");
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        od_check_bad(c, "location", -1, NULL, "must be an object such as "
                     "{\"city\": \"Austin\", \"state\": \"TX\"}");
        return;
    }
    if (json_object_object_length(v) > OD_LOCATION_MAX) {
        od_check_bad(c, "location", -1, NULL, "must have at most 20 members");
        return;
    }
    json_object_object_foreach(v, key, value) {
        const char *s = od_json_string(value);
        const char *token = od_json_pointer_token(c->a, key);

        if (*key == '\0' || strlen(key) > 64 || od_check_control(key, strlen(key), false)) {
            od_check_bad(c, "location", -1, NULL, "member names must be 1 to 64 bytes without "
                         "control characters");
            ok = false;
        } else if (json_object_is_type(value, json_type_string) &&
                   (s == NULL || strlen(s) > 500 || od_check_control(s, strlen(s), false))) {
            od_check_bad(c, od_arena_printf(c->a, "location/%s", token), -1, NULL,
                         "must be a string of at most 500 bytes without control characters");
            ok = false;
        } else if (value != NULL && (json_object_is_type(value, json_type_object) ||
                                     json_object_is_type(value, json_type_array))) {
            od_check_bad(c, od_arena_printf(c->a, "location/%s", token), -1, NULL,
                         "must be a string, a number, true, false or null");
            ok = false;
        }
    }
    if (ok)
        json_object_object_add(c->out, "location", json_object_get(v));
}

json_object *
od_customer_normalise(json_object *item, int ord, const char *prefix, const od_vocab *vocab,
                      od_date today, od_arena *a, od_issues *issues)
{
    od_check c = { prefix, a, issues, vocab, NULL };
    unsigned before = issues->count;

    if (!od_check_begin(&c, item, ord, members, sizeof(members) / sizeof(members[0]),
                        od_customer_read_only, "customer"))
        return NULL;
    od_check_text(&c, item, "external_id", 255, OD_CHECK_REQUIRED | OD_CHECK_NONBLANK);
    od_check_text(&c, item, "full_name", 300, OD_CHECK_REQUIRED | OD_CHECK_NONBLANK);
    email(&c, item);
    dob_age(&c, item, today);
    gender(&c, item);
    location(&c, item);
    od_check_match(&c, item, "phone", od_customer_phone, "must be an E.164 number: + then 8 "
                   "to 15 digits, such as +14155550100");
    /* custom tags become codes, like product tags ("VIP Gold" -> vip_gold) */
    od_check_words(&c, item, "custom_tags", OD_TAGS_MAX, od_check_as_code);
    return od_check_end(&c, before);
}
