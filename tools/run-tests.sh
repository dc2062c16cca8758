#!/bin/sh
# Run every test of the sanitizer build and end with one summary line:
#   unit tests (each Check binary), the scenario suite, the CLI tests.
# Usage: tools/run-tests.sh BUILD_DIR
set -u
dir=${1:-build/asan}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export CK_DEFAULT_TIMEOUT="${CK_DEFAULT_TIMEOUT:-60}"
passed=0
failed=0
log=$dir/test-logs
mkdir -p "$log"

for t in "$dir"/tests/check_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log/$name.log" 2>&1
	rc=$?
	# Check prints "NN%: Checks: N, Failures: F, Errors: E".
	line=$(grep -E '^[0-9]+%: Checks: ' "$log/$name.log" | tail -n 1)
	n=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\).*/\1/p')
	e=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
	n=${n:-0}; f=${f:-0}; e=${e:-0}
	bad=$((f + e))
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + n - f - e))
	failed=$((failed + bad))
	if [ "$bad" -eq 0 ]; then
		printf 'unit  %-28s %4d passed\n' "$name" "$n"
	else
		printf 'unit  %-28s %4d passed, %d FAILED (log: %s)\n' "$name" "$((n - f - e))" "$bad" "$log/$name.log"
		grep -E ':[EF]:' "$log/$name.log" | head -n 20
		grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log/$name.log" | head -n 5
	fi
done

# The built-in conformance suite, under the sanitizers.
"$dir/virtiosim" run scenarios/ --format junit --out "$log/scenarios.xml" >/dev/null 2>"$log/scenarios.stderr"
"$dir/virtiosim" run scenarios/ >"$log/scenarios.txt" 2>>"$log/scenarios.stderr"
rc=$?
sline=$(grep -E '^scenarios: [0-9]+ passed, [0-9]+ failed' "$log/scenarios.txt" | tail -n 1)
sp=$(echo "$sline" | sed -n 's/^scenarios: \([0-9]*\) passed.*/\1/p')
sf=$(echo "$sline" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
sp=${sp:-0}; sf=${sf:-0}
if [ "$rc" -ne 0 ] && [ "$sf" -eq 0 ]; then sf=1; fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log/scenarios.stderr"; then
	echo "scenarios: sanitizer report:"; grep -E -A5 'ERROR: |runtime error' "$log/scenarios.stderr" | head -n 30
	sf=$((sf + 1))
fi
passed=$((passed + sp)); failed=$((failed + sf))
printf 'suite scenarios/                     %4d passed, %d failed\n' "$sp" "$sf"
[ "$sf" -eq 0 ] || grep -E 'FAIL|steps\[' "$log/scenarios.txt" | head -n 30

# Short seeded fuzz runs (harness/fuzz*.c): deterministic cases, in one
# process so ASan's leak check covers them; a finding fails the line and
# leaves its shrunk reproducer in $log/fuzz/.
for fz in "both split 1 30000" "driver packed 2 15000" "device packed 3 15000" "both split 4 15000 net"; do
	set -- $fz
	"$dir/virtiosim" fuzz --no-fork --side "$1" --ring "$2" --seed "$3" --steps "$4" \
		${5:+--device "$5"} --out "$log/fuzz" >"$log/fuzz-$1-$2-$3.txt" 2>"$log/fuzz-$1-$2-$3.stderr"
	rc=$?
	fline=$(grep -E '^fuzz: seed ' "$log/fuzz-$1-$2-$3.txt" | tail -n 1)
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log/fuzz-$1-$2-$3.stderr"; then
		passed=$((passed + 1))
		printf 'fuzz  side %-6s ring %-6s seed %s %-4s %4d passed  (%s)\n' "$1" "$2" "$3" "${5:-}" 1 "${fline#fuzz: }"
	else
		failed=$((failed + 1))
		printf 'fuzz  side %-6s ring %-6s seed %s %-4s 0 passed, 1 FAILED (exit %d)\n' "$1" "$2" "$3" "${5:-}" "$rc"
		grep -E '^finding|^  ' "$log/fuzz-$1-$2-$3.txt" | head -n 12
		grep -E -A5 'ERROR: |runtime error' "$log/fuzz-$1-$2-$3.stderr" | head -n 20
	fi
done

# CLI contract tests (exit codes, diagnostics, formats, determinism).
if [ -x tests/cli/run.sh ]; then
	out=$(tests/cli/run.sh "$dir/virtiosim" 2>&1)
	echo "$out" | grep -vE '^ok ' | grep -v '^$'
	cp=$(echo "$out" | grep -c '^ok ')
	cf=$(echo "$out" | grep -c '^not ok ')
	passed=$((passed + cp)); failed=$((failed + cf))
	printf 'cli   tests/cli/run.sh               %4d passed, %d failed\n' "$cp" "$cf"
fi

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
