/* status.c: names of the shared return codes, for log lines. */
#include "core/status.h"

const char *
od_rc_str(od_rc rc)
{
    switch (rc) {
    case OD_OK:       return "ok";
    case OD_ENOMEM:   return "out of memory";
    case OD_ETOOBIG:  return "too big";
    case OD_EINVAL:   return "invalid input";
    case OD_EIO:      return "i/o error";
    case OD_EUNAVAIL: return "unavailable";
    case OD_EDB:      return "database error";
    case OD_ENOTFOUND: return "not found";
    }
    return "unknown";
}
