#!/bin/sh
# The seam (ARCHITECTURE.md): driver/ meets devices/ and transport/ only
# through core/.  Fail when an include crosses it, in either direction.
set -u
bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"][^>"]*(devices|transport|harness)/' driver 2>/dev/null)
for d in devices transport; do
	bad="$bad$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"][^>"]*(driver|harness)/|#[[:space:]]*include[[:space:]]*<linux/' "$d" 2>/dev/null)"
done
bad="$bad$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"][^>"]*(driver|devices|transport|harness)/' core 2>/dev/null)"
if [ -n "$bad" ]; then
	echo "check-layers: the driver/device seam is crossed:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "check-layers: ok (driver/ and devices/+transport/ meet only through core/)"
