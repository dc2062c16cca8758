#!/bin/sh
# Coverage build: run unit tests and the scenario suite, then write an lcov
# HTML report under build/coverage/ and print line and function coverage
# per top-level folder.
set -u
dir=${1:-build/cov}
find "$dir" -name '*.gcda' -delete 2>/dev/null
for t in "$dir"/tests/check_*; do [ -x "$t" ] && "$t" >/dev/null 2>&1; done
"$dir/virtiosim" run scenarios/ >/dev/null 2>&1
[ -x tests/cli/run.sh ] && tests/cli/run.sh "$dir/virtiosim" >/dev/null 2>&1
lcov --quiet --capture --directory "$dir" --output-file "$dir/all.info" >/dev/null 2>&1 || {
	echo "coverage: lcov capture failed" >&2; exit 1; }
lcov --quiet --extract "$dir/all.info" "$PWD/core/*" "$PWD/transport/*" "$PWD/devices/*" \
	"$PWD/driver/*" "$PWD/harness/*" --output-file "$dir/project.info" >/dev/null 2>&1
rm -rf build/coverage
genhtml --quiet "$dir/project.info" --output-directory build/coverage >/dev/null 2>&1
# lcov --summary prints "lines......: 95.3% (778 of 816 lines)".
summary() {
	lcov --summary "$1" 2>&1 | awk -v d="$2" '
		/lines\.*:/ { l = sprintf("%s (%s/%s)", $2, $3, $5) }
		/functions\.*:/ { f = sprintf("%s (%s/%s)", $2, $3, $5) }
		END { printf "%-10s %22s %22s\n", d, l, f }' | sed 's/(//2; s/(//2'
}
printf '%-10s %22s %22s\n' FOLDER LINES FUNCTIONS
for d in core transport devices driver harness; do
	lcov --quiet --extract "$dir/project.info" "$PWD/$d/*" --output-file "$dir/$d.info" >/dev/null 2>&1
	summary "$dir/$d.info" "$d"
done
summary "$dir/project.info" total
echo "HTML report: build/coverage/index.html"
