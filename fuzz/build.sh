#!/bin/sh
# Build virtiosim's coverage-guided fuzz targets the way OSS-Fuzz builds a
# project: compile with $CC $CFLAGS, link each target with
# $LIB_FUZZING_ENGINE into $OUT, and put a seed corpus beside each target
# ($OUT/<target>_seed_corpus/, and a .zip of it when zip is installed).
#
# Defaults give a local libFuzzer build with ASan and UBSan:
#   CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined"
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=build/fuzz/libfuzzer
# An AFL++ build: CC=afl-clang-fast CFLAGS="-O1 -g -fsanitize=address,undefined"
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=build/fuzz/afl   (fuzz/run.sh does this)
# Under OSS-Fuzz, $SRC/virtiosim is the checkout and $CC, $CFLAGS,
# $LIB_FUZZING_ENGINE and $OUT come from the builder image.
#
# Targets (fuzz/fuzz_*.c, one LLVMFuzzerTestOneInput each):
#   fuzz_scenario   the scenario-file parser
#   fuzz_vring_dev  the device ring engine on arbitrary ring memory
#   fuzz_vring_drv  the guest virtqueue on arbitrary used-ring memory
#   fuzz_regs       register access sequences on MMIO and PCI register files
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SRC_DIR=$(cd "$here/.." && pwd)
: "${CC:=clang}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$SRC_DIR/build/fuzz/libfuzzer}"
: "${JOBS:=2}"
# OSS-Fuzz links with $CXX (its engines are C++); plain clang does too.
LINK=${FUZZ_LINK:-${CXX:-$CC}}
case "$OUT" in /*) ;; *) OUT=$SRC_DIR/$OUT ;; esac
WORK=$OUT/obj
mkdir -p "$OUT" "$WORK"
cd "$SRC_DIR"

INC="-std=c11 -D_GNU_SOURCE -I. -Idriver/include"
LIBS="$(pkg-config --libs libuv libcjson 2>/dev/null || echo -luv -lcjson) -lm"

# The library: every source of the tree but the CLI's main(), compiled
# only when the source or a header is newer than its object.
newest_h=$(ls -t core/*.h transport/*.h devices/*.h driver/*.h driver/include/linux/*.h \
	harness/*.h 2>/dev/null | head -n 1)
srcs=$(ls core/*.c transport/*.c devices/*.c driver/*.c harness/*.c harness/rules/*.c |
	grep -v '^harness/main\.c$')
stale=""
objs=""
for f in $srcs; do
	o=$WORK/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ] ||
	   [ "$0" -nt "$o" ]; then
		stale="$stale $f"
	fi
done
if [ -n "$stale" ]; then
	echo "  CC      $(echo $stale | wc -w) library sources ($CC)"
	# shellcheck disable=SC2086
	printf '%s\n' $stale | xargs -P "$JOBS" -I{} sh -c \
		'o=$1/$(echo "$2" | tr / _ | sed "s/\.c\$/.o/"); exec $3 $4 $5 -c "$2" -o "$o"' \
		sh "$WORK" {} "$CC" "$CFLAGS" "$INC"
	rm -f "$WORK/libvirtiosim.a"
fi
[ -f "$WORK/libvirtiosim.a" ] || ar rcs "$WORK/libvirtiosim.a" $objs

for t in fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	echo "  LD      $OUT/$name"
	# shellcheck disable=SC2086
	$CC $CFLAGS $INC -c "$t" -o "$WORK/$name.o"
	# shellcheck disable=SC2086
	$LINK $CFLAGS "$WORK/$name.o" "$WORK/libvirtiosim.a" $LIB_FUZZING_ENGINE $LIBS \
		-o "$OUT/$name"
done

# Seed corpora: the suite's scenarios for the parser, small generated
# ring images and register sequences for the others (fuzz/seeds.sh).
sh "$here/seeds.sh" "$OUT"
if command -v zip >/dev/null 2>&1; then
	for d in "$OUT"/*_seed_corpus; do
		(cd "$d" && rm -f "../$(basename "$d").zip" && zip -q -r "../$(basename "$d").zip" .)
	done
fi
