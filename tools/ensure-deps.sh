#!/bin/sh
# Install the Debian packages the build needs, once: only what is missing,
# after a single apt-get update.  Not root: print the exact line and stop.
set -u
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
line="apt-get update && apt-get install -y$missing"
if [ "$(id -u)" != 0 ]; then
	echo "virtiosim: missing packages:$missing" >&2
	echo "virtiosim: run as root:  $line" >&2
	exit 1
fi
echo "virtiosim: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq$missing >/dev/null || {
	echo "virtiosim: apt-get failed; try:  $line" >&2
	exit 1
}
