/* uuid.c: the text form of UUIDs. */
#include "core/uuid.h"

#include <string.h>

bool
od_uuid_canonical(const char *s, char out[37])
{
    if (s == NULL || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];

        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        out[i] = c;
    }
    out[36] = '\0';
    return true;
}
