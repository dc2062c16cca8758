#!/bin/sh
# Seed corpora for the fuzz targets, into OUT/<target>_seed_corpus/:
# the suite's scenario files (and the CLI tests' malformed ones) for the
# parser; a few small, valid ring images and register sequences, written
# here byte by byte, for the others (see each target's input layout).
# Usage: fuzz/seeds.sh OUT
set -eu
out=${1:?usage: seeds.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# seed TARGET NAME HEX...: one corpus file from hex bytes (spaces ignored).
seed() {
	d=$out/$1_seed_corpus
	mkdir -p "$d"
	name=$2
	shift 2
	perl -e 'my $h = join("", @ARGV); $h =~ s/\s+//g; binmode STDOUT; print pack("H*", $h)' \
		"$@" >"$d/$name"
}
zeros() { # N bytes of 00, as hex
	perl -e 'print "00" x $ARGV[0]' "$1"
}

mkdir -p "$out/fuzz_scenario_seed_corpus"
cp "$root"/scenarios/*.json "$out/fuzz_scenario_seed_corpus/"
for f in "$root"/tests/cli/bad/*; do
	[ -f "$f" ] && cp "$f" "$out/fuzz_scenario_seed_corpus/bad-$(basename "$f")"
done

# fuzz_vring_dev: flags, size byte, descriptor area, driver area, device
# area, indirect-table page.  Buffers at 0x50000 (inside the arena).
# split, 8 entries: one writable 64-byte buffer made available.
seed fuzz_vring_dev split-one \
	00 03 \
	0000050000000000 40000000 0200 0000 $(zeros 112) \
	0000 0100 0000 $(zeros 16) \
	$(zeros 70)
# split, 8 entries, INDIRECT: a table at 0x40000 with a readable and a
# writable entry, plus a direct 2-descriptor chain (readable -> writable).
seed fuzz_vring_dev split-indirect \
	02 03 \
	0000040000000000 20000000 0400 0000 \
	0000050000000000 10000000 0100 0200 \
	0010050000000000 20000000 0200 0000 $(zeros 80) \
	0000 0200 0000 0100 $(zeros 14) \
	$(zeros 70) \
	0000050000000000 10000000 0100 0100 \
	0010050000000000 20000000 0200 0000
# packed, 8 entries: one writable buffer, AVAIL set for wrap counter 1.
seed fuzz_vring_dev packed-one \
	01 07 \
	0000050000000000 40000000 0000 8200 $(zeros 112) \
	00000000 00000000
# packed, 8 entries, INDIRECT + EVENT_IDX: a table of two entries.
seed fuzz_vring_dev packed-indirect \
	07 07 \
	0000040000000000 20000000 0000 8400 $(zeros 112) \
	00000000 00000000 \
	0000050000000000 10000000 0000 0000 \
	0010050000000000 20000000 0000 0200

# fuzz_vring_drv: flags, size byte, then rounds of (count, bytes over the
# used ring / packed descriptor ring).
# split, 8 entries: two requests, the device uses both properly.
seed fuzz_vring_drv split-two \
	00 03 02 \
	0000 0200 00000000 40000000 03000000 0a000000
# packed, 8 entries: one request, used in place with AVAIL|USED set.
seed fuzz_vring_drv packed-one \
	01 07 01 \
	0000000000000000 08000000 0000 8080
# split with INDIRECT and EVENT_IDX, two rounds.
seed fuzz_vring_drv split-indirect \
	06 02 03 0000 0100 00000000 40000000 \
	02 0000 0300 01000000 40000000

# fuzz_regs: feature byte, then (region, offset LE16, op, value) records;
# op bit 0 = write, bits 1-2 = width 1/2/4/8.  virtio-mmio v2 bank
# (region 0): magic, version, id, status ACKNOWLEDGE then DRIVER.
seed fuzz_regs mmio-init \
	00 \
	00 0000 04  00 0400 04  00 0800 04 \
	00 7000 05 01000000  00 7000 05 03000000 \
	00 1400 05 00000000  00 1000 04  00 3000 05 00000000  00 3400 04
# PCI modern (region 2: configuration space of slot 2): vendor, device,
# command register memory + I/O enable, first capability pointer.
seed fuzz_regs pci-config \
	00 \
	02 0000 02  02 0200 02  02 0400 03 0300  02 3400 00
# transitional PCI (region 9: slot 3), its legacy I/O BAR 0 (region 10).
seed fuzz_regs pci-legacy \
	00 \
	09 0000 02  0a 0000 04  0a 1200 01 01  0a 1200 01 03
