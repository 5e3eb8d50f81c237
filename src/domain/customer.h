/* customer.h: validation and normalisation of a customer as the API receives it
 * (pure): identity, name, e-mail, date of birth and age, gender through the
 * vendor's synonyms, location, phone, custom tags. The result is the row the
 * batch upsert (od_customers_upsert) takes, every column present. */
#ifndef OD_CUSTOMER_H
#define OD_CUSTOMER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"
#include "domain/vocab.h"

#define OD_CUSTOMER_BATCH_MAX 10000

/* A calendar date. */
typedef struct od_date {
    int year;
    int month;   /* 1..12 */
    int day;     /* 1..31 */
} od_date;

/* Validates item (borrowed) as the whole customer at input position ord, whose
 * JSON pointer is prefix ("#/items/3", or "#" for a single customer). today is
 * the date against which dob and age are checked. Returns the normalised
 * customer (a new reference the caller puts), or NULL after reporting every
 * problem to issues. Strings it reports are arena-owned.
 * With dob the output's age is null: the age is derived from dob when read. */
json_object *od_customer_normalise(json_object *item, int ord, const char *prefix,
                                   const od_vocab *vocab, od_date today, od_arena *a,
                                   od_issues *issues);

/* True when member names a field the server sets (id, timestamps...). */
bool od_customer_read_only(const char *member);

/* Parses a real calendar date written YYYY-MM-DD into *out. */
bool od_customer_date(const char *s, od_date *out);

/* The age in whole years on today of someone born on dob (a birthday on 29
 * February is reached on 1 March in other years). */
int od_customer_age(od_date dob, od_date today);

/* Checks an e-mail address (the dot-atom form of RFC 5322: no quoted local parts,
 * no address literals, ASCII only, a domain of at least two labels). Returns it
 * with the domain in lower case (arena-owned), or NULL with *why (static). */
const char *od_customer_email(const char *s, od_arena *a, const char **why);

/* True when s is an E.164 number: '+' then 8 to 15 digits, the first not 0. */
bool od_customer_phone(const char *s);

/* Normalises a gender word through vocab (synonyms such as "F" or "Female");
 * the four values themselves are always known. Returns male, female, other,
 * unspecified (static or borrowed from vocab), or NULL. */
const char *od_customer_gender(const od_vocab *vocab, const char *word);

#endif
