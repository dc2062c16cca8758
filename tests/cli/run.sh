#!/bin/sh
# CLI contract tests: exit codes, one-line diagnostics for bad scenario
# files, output formats, byte-identical traces.  Prints "ok N - ..." or
# "not ok N - ..." per test (TAP style).  Usage: tests/cli/run.sh VIRTIOSIM
set -u
bin=${1:?usage: run.sh path/to/virtiosim}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }

# expect_exit CODE DESC CMD...: the command exits with CODE.
expect_exit() {
	want=$1; desc=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		nok "$desc" "exit $got, wanted $want; stderr: $(head -c 300 "$tmp/err")"; fi
}

# Every malformed scenario: exit 2 and exactly one line naming file, path, expectation.
grep -v '^#' "$here/bad-scenarios.tsv" | while IFS='	' read -r file text; do
	[ -n "$file" ] || continue
	"$bin" run "$here/bad/$file" >"$tmp/out" 2>"$tmp/err"; got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" -ne 2 ]; then
		echo "not ok - bad/$file exits 2"; echo "#   exit $got"
	elif [ "$lines" -ne 1 ]; then
		echo "not ok - bad/$file: one line of diagnostics"; echo "#   $(cat "$tmp/err")"
	elif ! grep -qF "$here/bad/$file: " "$tmp/err" || ! grep -qF -- "$text" "$tmp/err"; then
		echo "not ok - bad/$file: names file and says '$text'"; echo "#   got: $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		echo "not ok - bad/$file: nothing on stdout"
	else
		echo "ok - bad/$file: exit 2, '$text'"
	fi
done

expect_exit 0 "--help exits 0" "$bin" --help
grep -q 'usage: virtiosim' "$tmp/out" && ok "--help prints usage" || nok "--help prints usage"
expect_exit 0 "--version exits 0" "$bin" --version
grep -q '^virtiosim [0-9]' "$tmp/out" && ok "--version prints the version" || nok "--version prints the version"
expect_exit 2 "no command exits 2" "$bin"
expect_exit 2 "unknown command exits 2" "$bin" frobnicate
expect_exit 2 "unknown run option exits 2" "$bin" run --bogus scenarios/
expect_exit 2 "missing path exits 2" "$bin" run "$tmp/does-not-exist.json"
expect_exit 2 "bad --format exits 2" "$bin" run --format yaml scenarios/
expect_exit 2 "bad --seed exits 2" "$bin" run --seed -4 scenarios/
expect_exit 2 "--out needs a value" "$bin" run scenarios/ --out
expect_exit 2 "rules rejects junit" "$bin" rules --format junit
expect_exit 2 "validate rejects a bad file" "$bin" validate "$here/bad/truncated.json"

expect_exit 0 "clean scenario exits 0" "$bin" run scenarios/rng-mmio-basic.json
grep -qE '^scenarios: 1 passed, 0 failed$' "$tmp/out" && ok "text summary line" || nok "text summary line" "$(tail -n 2 "$tmp/out")"
expect_exit 1 "failing scenario exits 1" "$bin" run "$here/failing.json"
grep -q 'rule split.used-len did not fire' "$tmp/out" && ok "failure names the missing rule" || nok "failure names the missing rule" "$(cat "$tmp/out")"

expect_exit 0 "json report" "$bin" run scenarios/rng-mmio-basic.json --format json
for key in '"scenarios"' '"summary"' '"status":	"pass"' '"machine"' '"transport":	"mmio"' '"ring":	"split"' '"violations"' '"duration_ms"' '"passed":	1' '"failed":	0'; do
	grep -qF "$key" "$tmp/out" && ok "json has $key" || nok "json has $key"
done
# PCI: the report says which transport and which interrupt mode the driver chose.
expect_exit 0 "json report of a PCI scenario" "$bin" run scenarios/rng-pci-msix-single.json --format json
for key in '"transport":	"pci"' '"interrupt":	"msix-single"' '"msix_vectors":	1' '"ring":	"split"'; do
	grep -qF "$key" "$tmp/out" && ok "pci json has $key" || nok "pci json has $key"
done
expect_exit 0 "text report of a PCI scenario" "$bin" run scenarios/rng-pci-legacy-intx.json
grep -qE '^rng-pci-legacy-intx +rng +pci-legacy +split +intx +pass ' "$tmp/out" &&
	ok "text row shows transport and interrupt mode" || nok "text row shows transport and interrupt mode" "$(head -n 2 "$tmp/out")"
expect_exit 1 "junit report of a failing run" "$bin" run "$here/failing.json" --format junit --out "$tmp/j.xml"
grep -q '<testsuite name="virtiosim" tests="1" failures="1"' "$tmp/j.xml" && ok "junit counts the failure" || nok "junit counts the failure" "$(head -c 400 "$tmp/j.xml")"
grep -q '<failure message=' "$tmp/j.xml" && ok "junit has a failure element" || nok "junit has a failure element"

# Determinism: same scenarios + seed, byte-identical traces.
"$bin" run scenarios/ --seed 5 --trace "$tmp/t1" >/dev/null 2>&1
"$bin" run scenarios/ --seed 5 --trace "$tmp/t2" >/dev/null 2>&1
if [ -s "$tmp/t1" ] && cmp -s "$tmp/t1" "$tmp/t2"; then ok "same seed, byte-identical trace"; else nok "same seed, byte-identical trace"; fi
grep -q '"ev":"reg.write"' "$tmp/t1" && ok "trace has register writes" || nok "trace has register writes"
grep -q '"ev":"irq"' "$tmp/t1" && ok "trace has interrupts" || nok "trace has interrupts"
grep -q '"ev":"violation"' "$tmp/t1" && ok "trace has violations" || nok "trace has violations"

expect_exit 0 "rules lists the catalogue" "$bin" rules
expect_exit 0 "rules --format json" "$bin" rules --format json
grep -q '"spec":' "$tmp/out" && grep -q '"section":' "$tmp/out" && ok "rules json has spec and section" || nok "rules json has spec and section"
expect_exit 0 "rules --coverage" "$bin" rules --coverage
grep -qE '^mmio ' "$tmp/out" && ok "coverage has an mmio row" || nok "coverage has an mmio row"
expect_exit 0 "rules --coverage --format json" "$bin" rules --coverage --format json
expect_exit 0 "faults lists the catalogue" "$bin" faults
grep -q 'device.used-id-out-of-range' "$tmp/out" && ok "faults lists device.used-id-out-of-range" || nok "faults lists device.used-id-out-of-range"
expect_exit 0 "faults --format json" "$bin" faults --format json
# Every fault in the catalogue has a scenario of the suite that switches it on.
"$bin" faults | awk 'NR > 1 && $1 ~ /\./ { print $1 }' >"$tmp/faults"
missing=""
while read -r f; do
	grep -lqF "\"name\": \"$f\"" scenarios/*.json || missing="$missing $f"
done <"$tmp/faults"
if [ -s "$tmp/faults" ] && [ -z "$missing" ]; then ok "every fault has a scenario ($(wc -l <"$tmp/faults") faults)"
else nok "every fault has a scenario" "without one:$missing"; fi
expect_exit 0 "validate the suite" "$bin" validate scenarios/

# virtiosim fuzz: usage errors exit 2; a short seeded run is clean and
# deterministic (same seed, same cases); json has the summary fields.
expect_exit 2 "fuzz: unknown option exits 2" "$bin" fuzz --bogus
expect_exit 2 "fuzz: bad --side exits 2" "$bin" fuzz --side guest
expect_exit 2 "fuzz: unknown --device exits 2" "$bin" fuzz --device floppy
expect_exit 2 "fuzz: bad --transport exits 2" "$bin" fuzz --transport usb
expect_exit 2 "fuzz: bad --ring exits 2" "$bin" fuzz --ring ring
expect_exit 2 "fuzz: packed ring on a legacy transport exits 2" "$bin" fuzz --ring packed --transport mmio-legacy
expect_exit 2 "fuzz: --steps 0 exits 2" "$bin" fuzz --steps 0
expect_exit 2 "fuzz: --steps and --time together exit 2" "$bin" fuzz --steps 10 --time 1
expect_exit 2 "fuzz: bad --format exits 2" "$bin" fuzz --format junit
expect_exit 2 "fuzz: --seed needs a value" "$bin" fuzz --seed
expect_exit 2 "fuzz: stray argument exits 2" "$bin" fuzz scenarios/
expect_exit 0 "fuzz: short split run exits 0" "$bin" fuzz --seed 3 --steps 300 --ring split --out "$tmp/fz"
grep -qE '^fuzz: seed 3, side both: [0-9]+ steps in [0-9]+ cases, .* steps/s, 0 findings$' "$tmp/out" &&
	ok "fuzz: text summary line" || nok "fuzz: text summary line" "$(tail -n 2 "$tmp/out")"
grep -q 'steps/s' "$tmp/err" && ok "fuzz: progress on stderr" || nok "fuzz: progress on stderr" "$(head -c 300 "$tmp/err")"
expect_exit 0 "fuzz: json summary" "$bin" fuzz --seed 3 --steps 300 --ring split --side device --format json
for key in '"steps":' '"cases":' '"steps_per_s":' '"findings": []' '"side": "device"'; do
	grep -qF "$key" "$tmp/out" && ok "fuzz json has $key" || nok "fuzz json has $key" "$(head -c 400 "$tmp/out")"
done
grep -E '"(steps|cases)":' "$tmp/out" >"$tmp/fz1"
"$bin" fuzz --seed 3 --steps 300 --ring split --side device --format json 2>/dev/null | grep -E '"(steps|cases)":' >"$tmp/fz2"
cmp -s "$tmp/fz1" "$tmp/fz2" && ok "fuzz: same seed, same cases" || nok "fuzz: same seed, same cases"

# A SHOULD-level rule is a warning: reported, not a failure.
expect_exit 0 "an unexpected SHOULD warning does not fail the run" "$bin" run "$here/warning.json" --format json
grep -qF '"rule":	"features.renegotiation"' "$tmp/out" && grep -qF '"severity":	"warning"' "$tmp/out" &&
	ok "the warning is reported with severity warning" || nok "the warning is reported with severity warning" "$(head -c 600 "$tmp/out")"

# -v shows the guest's log lines; by default stderr stays quiet.
"$bin" run scenarios/fault-device-used-len.json >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok "quiet stderr by default" || nok "quiet stderr by default" "$(head -c 300 "$tmp/err")"
"$bin" run -v scenarios/fault-device-used-len.json >/dev/null 2>"$tmp/err"
grep -q 'virtiosim: error: virtio0: ' "$tmp/err" && ok "-v shows the driver's complaint" || nok "-v shows the driver's complaint" "$(head -c 300 "$tmp/err")"
