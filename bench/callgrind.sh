#!/bin/sh
# callgrind.sh - instructions per round trip for every benchmark row,
# counted by valgrind's callgrind (stable on a noisy machine, unlike ns).
#
# Each row runs twice with a fixed number of round trips (--fixed ROW N):
# the difference of the two instruction totals, divided by the difference
# of N, is what one round trip costs, without the machine's setup and
# teardown.  Usage: sh bench/callgrind.sh [ROW...]   (default: every row)
set -eu
cd "$(dirname "$0")/.."
make -s -C bench build
bin=build/bench/ring_bench
command -v valgrind >/dev/null 2>&1 || { echo "callgrind.sh: valgrind not installed" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

rows=${*:-$($bin --list)}
total() { # row iterations -> instructions
	valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "$bin" --fixed "$1" "$2" \
		>/dev/null 2>"$out/cg.err" || { cat "$out/cg.err" >&2; exit 1; }
	sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$out/cg.out" | head -n 1
}
printf '%-24s %14s %12s\n' row instr/roundtrip instr/chain
for r in $rows; do
	case $r in *-b32-*) b=32 n1=40 n2=240 ;; *) b=1 n1=400 n2=2400 ;; esac
	a=$(total "$r" $n1)
	z=$(total "$r" $n2)
	per=$(( (z - a) / (n2 - n1) ))
	printf '%-24s %14d %12d\n' "$r" "$per" $((per / b))
done
