#!/bin/sh
# check-banned.sh: fails when src/ uses a C function the house style bans (as
# curl's checksrc does): unbounded copies and unchecked conversions.
src="${srcdir:-.}/src"
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atoll|strtok|strncpy)[[:space:]]*\(' \
	"$src" --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
	echo "banned functions (use snprintf, od_buf, strtol with checks, strtok_r):"
	echo "$hits"
	exit 1
fi
exit 0
