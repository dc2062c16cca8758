/*
 * bench.c - the ring round-trip benchmark (make bench).
 *
 * One machine runs the real path: the guest's virtio_mmio transport driver
 * and virtio_ring (split or packed) against the real MMIO register bank,
 * vdev core and device ring engine, with a small device model that pops,
 * touches the data (reads 8 bytes, writes 8 bytes) and pushes.  A round
 * trip: the driver adds B chains and kicks (a bus write), the loop runs
 * the device, whose first completion interrupts (InterruptStatus read and
 * ack on the bus, vring_interrupt, a callback that disables further
 * callbacks, as a NAPI driver does), then the driver gets the B tokens
 * back and re-enables callbacks.  With the monitor on it watches the bank
 * and is synced after every round trip, as the scenario runner does.
 *
 * Four devices share the machine: split and packed, each once unwatched
 * (measured with the monitor disabled) and once watched (measured with it
 * enabled), so the monitor's state is never stale.  A minimal split ring
 * of our own (refring.c) is the floor.  Every configuration is measured
 * in rounds, interleaved, and the median of the rounds is reported.
 *
 *   ring_bench [--json FILE] [--rounds N]     time every row, print a table
 *   ring_bench --fixed ROW ITERS              run ITERS round trips of one
 *                                             row, untimed (for callgrind)
 *   ring_bench --list                         the row names
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "bench/refring.h"
#include "core/arena.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"
#include "driver/guest.h"
#include "harness/monitor.h"
#include "transport/mmio.h"

#define BENCH_DEVICE_ID 0x7ff1u
#define BENCH_QSIZE 256u
#define MAX_BATCH 32u
#define SEG 64u
#define MMIO_BASE 0xd0000000ull

/* ---- the device model ---- */

/* Pop everything, complete each with vs_vq_fill, publish once with
 * vs_vq_flush (one used idx write and one notification decision per run,
 * as QEMU's devices do). */
static void bench_handle(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct vs_vq_elem elem;

	(void)vdev;
	while (vs_vq_pop(vq, &elem) == 0) {
		uint64_t v = 0;
		uint32_t len = 0;

		if (elem.out_len >= sizeof(v))
			vs_vq_read(vq, &elem, 0, &v, sizeof(v));
		v++;
		if (elem.in_len >= sizeof(v)) {
			vs_vq_write(vq, &elem, 0, &v, sizeof(v));
			len = sizeof(v);
		}
		if (vs_vq_fill(vq, &elem, len))
			return;
	}
	vs_vq_flush(vq);
}

static const struct vs_device_model bench_model = {
	.name = "bench",
	.device_id = BENCH_DEVICE_ID,
	.num_queues = 1,
	.queue_size_max = BENCH_QSIZE,
	.handle_queue = bench_handle,
};

/* ---- the guest driver ---- */

static struct virtqueue *probed_vq;
static unsigned long callbacks;

static void bench_cb(struct virtqueue *vq)
{
	callbacks++;
	virtqueue_disable_cb(vq);
}

static int bench_probe(struct virtio_device *vdev)
{
	struct virtqueue *vq = virtio_find_single_vq(vdev, bench_cb, "bench");

	if (IS_ERR(vq))
		return (int)PTR_ERR(vq);
	vdev->priv = vq;
	probed_vq = vq;
	return 0;
}

static void bench_remove(struct virtio_device *vdev)
{
	struct virtqueue *vq = vdev->priv;

	(void)virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(vq))
		;
	vdev->config->del_vqs(vdev);
}

static const struct virtio_device_id bench_ids[] = {
	{ BENCH_DEVICE_ID, VIRTIO_DEV_ANY_ID },
	{ 0, 0 },
};

static struct virtio_driver bench_driver = {
	.driver.name = "virtio-bench",
	.id_table = bench_ids,
	.probe = bench_probe,
	.remove = bench_remove,
};

/* ---- the machine ---- */

enum { L_REF, L_SPLIT, L_PACKED };
static const char *const layout_name[] = { "reference", "split", "packed" };

struct bdev {
	int layout, monitor;
	struct vs_vdev *vdev;
	struct vs_mmio *mmio;
	unsigned line;
	int handle;
	struct virtqueue *vq;
};

static struct {
	struct vs_arena *arena;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_loop *loop;
	struct vs_monitor *mon;
	struct bdev dev[4];
	struct ref_ring ref;
	u8 *bufs;           /* MAX_BATCH requests x 4 segments, guest RAM */
	u8 *ref_bufs;       /* the same for the reference ring, host memory */
	int tok[MAX_BATCH];
} M;

static int machine_up(void)
{
	struct vs_guest_env genv;
	int err;

	vs_log_set_level(VS_LOG_ERROR);
	if ((err = vs_arena_create(64u << 20, &M.arena)) || (err = vs_bus_create(&M.bus)) ||
	    (err = vs_irq_create(&M.irq)) || (err = vs_loop_create(&M.loop)) ||
	    (err = vs_monitor_create(M.arena, M.bus, M.irq, &M.mon)))
		return err;
	for (int i = 0; i < 4; i++) {
		struct bdev *d = &M.dev[i];
		struct vs_vdev_env env = { M.arena, M.loop, NULL, 1 };
		struct vs_device_params p = { 0 };
		uint64_t base = MMIO_BASE + 0x1000ull * (unsigned)i;
		char name[8];

		d->layout = i < 2 ? L_SPLIT : L_PACKED;
		d->monitor = i & 1;
		if (d->layout == L_PACKED)
			p.features_add = VS_BIT(VIRTIO_F_RING_PACKED);
		if ((err = vs__vdev_create(&bench_model, &p, &env, &d->vdev)) ||
		    (err = vs_irq_alloc_line(M.irq, &d->line)) ||
		    (err = vs_mmio_create(M.bus, M.irq, d->vdev, base, d->line, 2, &d->mmio)))
			return err;
		snprintf(name, sizeof(name), "b%d", i);
		if (d->monitor && (err = vs_monitor_watch_mmio(M.mon, name, base, d->line, 2)))
			return err;
	}
	genv = (struct vs_guest_env){ M.arena, M.bus, M.irq, M.loop, NULL };
	if ((err = vs_guest_init(&genv)) || (err = register_virtio_driver(&bench_driver)))
		return err;
	for (int i = 0; i < 4; i++) {
		struct bdev *d = &M.dev[i];

		probed_vq = NULL;
		err = vs_guest_mmio_add(MMIO_BASE + 0x1000ull * (unsigned)i, VS_MMIO_BANK_SIZE,
					d->line, &d->handle);
		if (err || !probed_vq)
			return err ? err : -ENODEV;
		d->vq = probed_vq;
	}
	M.bufs = kmalloc(MAX_BATCH * 4 * SEG, GFP_KERNEL);
	M.ref_bufs = calloc(MAX_BATCH * 4, SEG);
	if (!M.bufs || !M.ref_bufs)
		return -ENOMEM;
	return ref_ring_init(&M.ref, BENCH_QSIZE);
}

static void machine_down(void)
{
	ref_ring_fini(&M.ref);
	free(M.ref_bufs);
	kfree(M.bufs);
	unregister_virtio_driver(&bench_driver);
	vs_guest_fini();
	for (int i = 4; i-- > 0;) {
		vs_mmio_destroy(M.dev[i].mmio);
		vs_vdev_destroy(M.dev[i].vdev);
	}
	vs_monitor_destroy(M.mon);
	vs_loop_destroy(M.loop);
	vs_irq_destroy(M.irq);
	vs_bus_destroy(M.bus);
	vs_arena_destroy(M.arena);
}

/* ---- one round trip ---- */

struct row {
	int layout;  /* L_* */
	int chain;   /* 1 or 4 descriptors */
	int batch;   /* 1 or 32 */
	int monitor; /* 0 or 1 */
	double median_ns;
	uint64_t *samples;
};

static int round_trip_real(const struct row *r)
{
	struct bdev *d = &M.dev[(r->layout == L_PACKED ? 2 : 0) + r->monitor];
	struct virtqueue *vq = d->vq;
	unsigned int len, got = 0;
	int b;

	for (b = 0; b < r->batch; b++) {
		u8 *base = M.bufs + (unsigned)b * 4 * SEG;
		struct scatterlist sg[4], *sgs[4];
		int err;

		if (r->chain == 1) {
			sg_init_one(&sg[0], base, SEG);
			err = virtqueue_add_inbuf(vq, sg, 1, &M.tok[b], GFP_ATOMIC);
		} else {
			for (int i = 0; i < 4; i++) {
				sg_init_one(&sg[i], base + (unsigned)i * SEG, SEG);
				sgs[i] = &sg[i];
			}
			err = virtqueue_add_sgs(vq, sgs, 2, 2, &M.tok[b], GFP_ATOMIC);
		}
		if (err)
			return err;
	}
	virtqueue_kick(vq);
	vs_loop_drain(M.loop);
	if (r->monitor)
		vs_monitor_sync(M.mon);
	while (virtqueue_get_buf(vq, &len))
		got++;
	if (got != (unsigned)r->batch)
		return -EIO;
	if (!virtqueue_enable_cb(vq))
		return -EIO;
	return 0;
}

static int round_trip_ref(const struct row *r)
{
	unsigned got = 0;
	uint32_t len;

	for (int b = 0; b < r->batch; b++) {
		u8 *base = M.ref_bufs + (unsigned)b * 4 * SEG;
		u8 *bufs[4] = { base, base + SEG, base + 2 * SEG, base + 3 * SEG };
		static const uint32_t lens[4] = { SEG, SEG, SEG, SEG };
		int err = r->chain == 1 ? ref_add(&M.ref, bufs, lens, 0, 1, &M.tok[b])
					: ref_add(&M.ref, bufs, lens, 2, 2, &M.tok[b]);

		if (err)
			return err;
	}
	ref_device_run(&M.ref);
	while (ref_get(&M.ref, &len))
		got++;
	if (got != (unsigned)r->batch)
		return -EIO;
	M.ref.avail_flags &= (uint16_t)~1u; /* callbacks back on */
	return 0;
}

static int round_trip(const struct row *r)
{
	return r->layout == L_REF ? round_trip_ref(r) : round_trip_real(r);
}

/* ---- rows ---- */

#define MAX_ROWS 20
static struct row rows[MAX_ROWS];
static int nrows;

static void build_rows(void)
{
	static const int chains[] = { 1, 4 }, batches[] = { 1, 32 };

	for (int c = 0; c < 2; c++)
		for (int b = 0; b < 2; b++) {
			rows[nrows++] = (struct row){ L_REF, chains[c], batches[b], 0, 0, NULL };
			for (int l = L_SPLIT; l <= L_PACKED; l++)
				for (int m = 0; m < 2; m++)
					rows[nrows++] = (struct row){ l, chains[c], batches[b], m, 0,
								      NULL };
		}
}

static void row_name(const struct row *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s-c%d-b%d-%s", layout_name[r->layout], r->chain, r->batch,
		 r->monitor ? "mon" : "nomon");
}

static const struct row *find_row(int layout, int chain, int batch, int monitor)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].layout == layout && rows[i].chain == chain && rows[i].batch == batch &&
		    rows[i].monitor == monitor)
			return &rows[i];
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Time iters round trips of r; the monitor is on only for its rows. */
static int time_rows(int rounds, unsigned chains_per_sample)
{
	for (int i = 0; i < nrows; i++) {
		rows[i].samples = calloc((size_t)rounds, sizeof(uint64_t));
		if (!rows[i].samples)
			return -ENOMEM;
	}
	for (int round = -1; round < rounds; round++) {
		for (int i = 0; i < nrows; i++) {
			struct row *r = &rows[i];
			unsigned iters = chains_per_sample / (unsigned)r->batch;
			uint64_t t0, t1;

			vs_monitor_set_enabled(M.mon, r->monitor);
			t0 = now_ns();
			for (unsigned k = 0; k < iters; k++) {
				int err = round_trip(r);

				if (err)
					return err;
			}
			t1 = now_ns();
			if (round >= 0) /* round -1 warms caches up */
				r->samples[round] = (t1 - t0) / iters;
		}
	}
	for (int i = 0; i < nrows; i++) {
		qsort(rows[i].samples, (size_t)rounds, sizeof(uint64_t), cmp_u64);
		rows[i].median_ns = (double)rows[i].samples[rounds / 2];
	}
	return 0;
}

static void report(const char *json_path)
{
	FILE *js = json_path ? fopen(json_path, "w") : NULL;
	int first = 1;

	printf("%-9s %5s %5s %7s %12s %10s %8s %8s\n", "layout", "chain", "batch", "monitor",
	       "ns/roundtrip", "ns/chain", "x ref", "x mon-off");
	if (js)
		fprintf(js, "{\n  \"unit\": \"ns per round trip (median)\",\n  \"rows\": [\n");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		const struct row *ref = find_row(L_REF, r->chain, r->batch, 0);
		const struct row *off = r->monitor ? find_row(r->layout, r->chain, r->batch, 0) : NULL;
		double rr = r->median_ns / ref->median_ns;
		double ro = off ? r->median_ns / off->median_ns : 0;

		printf("%-9s %5d %5d %7s %12.0f %10.1f %8.2f", layout_name[r->layout], r->chain,
		       r->batch, r->monitor ? "on" : "off", r->median_ns, r->median_ns / r->batch, rr);
		if (off)
			printf(" %8.2f", ro);
		printf("\n");
		if (js) {
			fprintf(js, "%s    {\"layout\": \"%s\", \"chain\": %d, \"batch\": %d, "
				"\"monitor\": \"%s\", \"median_ns\": %.0f, \"ns_per_chain\": %.1f, "
				"\"ratio_to_reference\": %.3f",
				first ? "" : ",\n", layout_name[r->layout], r->chain, r->batch,
				r->monitor ? "on" : "off", r->median_ns, r->median_ns / r->batch, rr);
			if (off)
				fprintf(js, ", \"ratio_to_monitor_off\": %.3f", ro);
			fprintf(js, "}");
			first = 0;
		}
	}
	if (js) {
		fprintf(js, "\n  ]\n}\n");
		fclose(js);
		printf("wrote %s\n", json_path);
	}
}

int main(int argc, char **argv)
{
	const char *json = NULL, *fixed = NULL;
	int rounds = 21, err, list = 0;
	unsigned long fixed_iters = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fixed") && i + 2 < argc) {
			fixed = argv[++i];
			fixed_iters = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--list"))
			list = 1;
		else {
			fprintf(stderr, "usage: %s [--json FILE] [--rounds N] | --fixed ROW ITERS | --list\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	build_rows();
	if (list) {
		for (int i = 0; i < nrows; i++) {
			char name[64];

			row_name(&rows[i], name, sizeof(name));
			printf("%s\n", name);
		}
		return 0;
	}
	err = machine_up();
	if (err) {
		fprintf(stderr, "ring_bench: machine setup failed: %s\n", strerror(-err));
		return 1;
	}
	if (fixed) {
		const struct row *r = NULL;

		for (int i = 0; i < nrows && !r; i++) {
			char name[64];

			row_name(&rows[i], name, sizeof(name));
			if (!strcmp(name, fixed))
				r = &rows[i];
		}
		if (!r) {
			fprintf(stderr, "ring_bench: no row %s (see --list)\n", fixed);
			return 2;
		}
		vs_monitor_set_enabled(M.mon, r->monitor);
		for (unsigned long k = 0; k < fixed_iters && !err; k++)
			err = round_trip(r);
	} else {
		err = time_rows(rounds, 8192);
		if (!err)
			report(json);
	}
	if (err)
		fprintf(stderr, "ring_bench: round trip failed: %s\n", strerror(-err));
	if (vs_monitor_error_count(M.mon))
		fprintf(stderr, "ring_bench: the monitor reported %zu violations (first: %s)\n",
			vs_monitor_violation_count(M.mon),
			vs_monitor_violation(M.mon, 0)->message);
	machine_down();
	for (int i = 0; i < nrows; i++)
		free(rows[i].samples);
	return err ? 1 : 0;
}
