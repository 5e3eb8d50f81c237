/* cursor.c: signed keyset cursors: base64url(payload) "." base64url(HMAC). */
#include "http/cursor.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/base64.h"
#include "core/json.h"

#define OD_CURSOR_MAX 2048

/* The binding: what the payload's "b" member must equal. */
static char *
binding(od_arena *a, const char *vendor, const char *sort, const char *filters)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    char *text = od_arena_printf(a, "%s\n%s\n%s", vendor ? vendor : "", sort, filters);

    if (text == NULL)
        return NULL;
    EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
    return od_b64url_encode(a, md, 16);
}

static char *
sign(od_arena *a, const unsigned char *key, size_t keylen, const char *payload)
{
    unsigned char mac[32];
    unsigned int maclen = 0;

    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)payload, strlen(payload),
             mac, &maclen) == NULL)
        return NULL;
    return od_b64url_encode(a, mac, maclen);
}

char *
od_cursor_encode(od_arena *a, const unsigned char *key, size_t keylen, const char *vendor,
                 const char *sort, const char *filters, json_object *position)
{
    json_object *o = od_json_own(a, json_object_new_object());
    const char *bind = binding(a, vendor, sort, filters), *text;
    char *payload, *mac;
    size_t len;

    if (o == NULL || bind == NULL)
        return NULL;
    json_object_object_add(o, "b", json_object_new_string(bind));
    json_object_object_add(o, "p", json_object_get(position));
    text = od_json_text(o, &len);
    payload = od_b64url_encode(a, (const unsigned char *)text, len);
    mac = payload ? sign(a, key, keylen, payload) : NULL;
    return mac ? od_arena_printf(a, "%s.%s", payload, mac) : NULL;
}

od_rc
od_cursor_decode(od_arena *a, const unsigned char *key, size_t keylen, const char *cursor,
                 const char *vendor, const char *sort, const char *filters,
                 json_object **position)
{
    const char *dot = strchr(cursor, '.'), *why;
    char *payload, *want;
    unsigned char *json;
    size_t len, offset;
    json_object *o, *b, *p;

    *position = NULL;
    if (dot == NULL || strlen(cursor) > OD_CURSOR_MAX)
        return OD_EINVAL;
    payload = od_arena_strndup(a, cursor, (size_t)(dot - cursor));
    want = payload ? sign(a, key, keylen, payload) : NULL;
    if (want == NULL || strlen(want) != strlen(dot + 1) ||
        CRYPTO_memcmp(want, dot + 1, strlen(want)) != 0)
        return OD_EINVAL;
    json = od_b64url_decode(a, payload, strlen(payload), &len);
    if (json == NULL || od_json_parse((const char *)json, len, &o, &offset, &why) != OD_OK ||
        o == NULL)
        return OD_EINVAL;
    od_json_own(a, o);
    want = binding(a, vendor, sort, filters);
    if (!json_object_object_get_ex(o, "b", &b) || want == NULL ||
        strcmp(json_object_get_string(b), want) != 0 ||
        !json_object_object_get_ex(o, "p", &p) || !json_object_is_type(p, json_type_array))
        return OD_EINVAL;
    *position = p;
    return OD_OK;
}
