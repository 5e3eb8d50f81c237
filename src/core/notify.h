/* notify.h: readiness and state notifications to systemd (Type=notify). Without
 * libsystemd, or outside systemd, these do nothing. */
#ifndef OD_NOTIFY_H
#define OD_NOTIFY_H

/* Sends state (e.g. "READY=1", "RELOADING=1", "STOPPING=1") to the service manager. */
void od_notify(const char *state);

#endif
