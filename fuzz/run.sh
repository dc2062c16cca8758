#!/bin/sh
# make fuzz: build the fuzz targets for libFuzzer and AFL++ and run each
# for FUZZ_SECONDS (default 30) on a corpus kept in build/fuzz/corpus/.
# Prints executions and findings per engine and target; a finding (a
# crash, a sanitizer report, an abort on a broken invariant) leaves its
# input in build/fuzz/artifacts/ and makes the exit status 1.
#   FUZZ_SECONDS=N     seconds per target and engine
#   FUZZ_ENGINES="libfuzzer afl"   which engines (default both)
#   FUZZ_TARGETS="fuzz_regs ..."   which targets (default all)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${FUZZ_SECONDS:-30}
engines=${FUZZ_ENGINES:-libfuzzer afl}
targets=${FUZZ_TARGETS:-$(ls fuzz/fuzz_*.c | xargs -n1 basename | sed 's/\.c$//')}
base=build/fuzz
mkdir -p "$base/artifacts" "$base/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
total_findings=0
report=""

row() { report="$report$(printf '%-10s %-16s %12s %9s  %s' "$1" "$2" "$3" "$4" "$5")
"; }

for engine in $engines; do
	case $engine in
	libfuzzer)
		out=$base/libfuzzer
		CC=${FUZZ_CC:-clang} OUT=$out sh fuzz/build.sh || exit 2
		;;
	afl)
		sh tools/ensure-deps.sh afl++ || exit 2
		out=$base/afl
		CC=afl-clang-fast CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined" \
			LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$out FUZZ_LINK=afl-clang-fast \
			AFL_QUIET=1 sh fuzz/build.sh || exit 2
		;;
	*)
		echo "fuzz: unknown engine $engine" >&2
		exit 2
		;;
	esac
	for t in $targets; do
		corpus=$base/corpus/$t
		mkdir -p "$corpus"
		log=$base/logs/$engine-$t.log
		echo "fuzz: $engine $t for ${secs}s" >&2
		if [ "$engine" = libfuzzer ]; then
			"$out/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
				-rss_limit_mb=4096 -artifact_prefix="$base/artifacts/$t-" \
				"$corpus" "$out/${t}_seed_corpus" >"$log" 2>&1
			rc=$?
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
			found=0
			if [ "$rc" -ne 0 ]; then found=1; fi
			row libfuzzer "$t" "${execs:-?}" "$found" "$( [ "$found" -ne 0 ] && grep -m1 -E 'ERROR|SUMMARY|deadly|Test unit written' "$log")"
		else
			aout=$base/afl-out/$t
			rm -rf "$aout"
			mkdir -p "$base/afl-out"
			AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
				AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1 \
				ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:symbolize=0" \
				afl-fuzz -V "$secs" -m none -t 10000 -i "$out/${t}_seed_corpus" -o "$aout" \
				-- "$out/$t" >"$log" 2>&1
			stats=$aout/default/fuzzer_stats
			execs=$(sed -n 's/^execs_done *: *//p' "$stats" 2>/dev/null)
			found=$(sed -n 's/^\(saved_crashes\|unique_crashes\) *: *//p' "$stats" 2>/dev/null | head -n 1)
			found=${found:-0}
			if [ -d "$aout/default/crashes" ] && [ "$found" -gt 0 ]; then
				for c in "$aout"/default/crashes/id*; do
					cp "$c" "$base/artifacts/$t-afl-$(basename "$c" | cut -c1-9)"
				done
			fi
			[ -f "$stats" ] || found=1
			row afl "$t" "${execs:-?}" "$found" "$( [ -f "$stats" ] || echo "afl-fuzz failed: see $log")"
		fi
		total_findings=$((total_findings + found))
	done
done
printf '%-10s %-16s %12s %9s\n' ENGINE TARGET EXECUTIONS FINDINGS
printf '%s' "$report"
echo "fuzz: $total_findings findings (inputs in $base/artifacts/, logs in $base/logs/)"
[ "$total_findings" -eq 0 ]
