/*
 * check_ring_property.c - the real guest ring (driver/virtio_ring*.c)
 * against the real device ring engine (devices/vring*.c) in one arena,
 * in long seeded random runs: add / kick / pop / push / get / callback
 * control / queue reset, mixed chain shapes, split and packed, with and
 * without indirect tables, EVENT_IDX, IN_ORDER and contexts, across many
 * wraps of the 16-bit indices and of both packed wrap counters.
 *
 * Properties checked at every step (tests sit outside the seam, so this
 * file sees both sides):
 *  - the device pops exactly the buffers the driver added (addresses,
 *    lengths, directions), in order, and no chain twice;
 *  - every token comes back exactly once, with the len the device
 *    pushed, the bytes it wrote, and its context;
 *  - no lost notification: with callbacks enabled and nothing pending,
 *    the device's next completion interrupts; after the device found the
 *    ring empty, the driver's next kick_prepare says kick;
 *  - nothing leaks: indirect tables freed as buffers complete, the arena
 *    back to its baseline at the end; a device reset then
 *    detach_unused_buf returns each outstanding token once.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/prng.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"
#include "driver/shim.h"

/* Check's ck_assert reports each passing check to the parent process
 * (fork mode): far too slow for millions of checks.  REQUIRE is silent
 * until it fails. */
#define REQUIRE(cond)                                                              \
	do {                                                                       \
		if (!(cond))                                                       \
			ck_abort_msg("%s: %s:%d: %s", P.cfg ? P.cfg->name : "?", __FILE__, \
				     __LINE__, #cond);                             \
	} while (0)

#define ARENA_SIZE (4u << 20)
#define MAX_TOKENS 64u
#define SEGS 4u           /* buffers per request at most */
#define SEG_SIZE 64u
#define SLOT (SEGS * SEG_SIZE)

struct config {
	const char *name;
	bool packed, indirect, event, in_order, ctx;
	unsigned int num;  /* queue size */
	unsigned int steps;
};

/* Split runs long enough for the 16-bit indices to wrap (more than 2^16
 * adds before the first queue reset); packed sizes that are not powers of
 * two flip the wrap counters often. */
static const struct config configs[] = {
	{ "split", false, false, false, false, false, 8, 700000 },
	{ "split+event", false, false, true, false, true, 16, 700000 },
	{ "split+indirect+event", false, true, true, false, false, 8, 700000 },
	{ "split+indirect+in_order", false, true, false, true, true, 4, 400000 },
	{ "split+in_order+event", false, false, true, true, false, 16, 400000 },
	{ "packed", true, false, false, false, false, 7, 300000 },
	{ "packed+event", true, false, true, false, true, 16, 300000 },
	{ "packed+indirect", true, true, false, false, false, 5, 300000 },
	{ "packed+indirect+event+in_order", true, true, true, true, true, 33, 300000 },
	{ "packed+in_order", true, false, false, true, false, 3, 200000 },
};
#define NCONFIGS ((int)(sizeof(configs) / sizeof(configs[0])))

enum tok_state { T_FREE, T_ADDED, T_POPPED, T_PUSHED };

struct token {
	enum tok_state state;
	unsigned int nout, nin;
	u32 len[SEGS];
	u32 in_len;
	u32 pushed_len;
	u8 pattern;
	int ctx; /* its address is the context */
};

static struct {
	const struct config *cfg;
	struct vs_prng prng;
	struct vs_arena *arena;
	struct vs_loop *loop;
	struct vs_vdev *vdev;
	struct vs_vq *dvq;
	struct virtio_device gdev;
	struct virtqueue *vq;
	u8 *pool;                  /* token k's buffers at pool + k * SLOT */
	u64 pool_gpa;
	struct token tok[MAX_TOKENS];
	struct vs_vq_elem held[MAX_TOKENS]; /* popped by the device, in pop order */
	unsigned int nheld;
	unsigned int outstanding;  /* added, not returned */
	u64 irqs, callbacks, returned, added, resets;
	bool armed;                /* callbacks on, nothing pending: next push interrupts */
	bool idle;                 /* the device's last pop found nothing */
	bool owed;                 /* added since idle: kick_prepare must say yes */
	u64 baseline;              /* arena bytes with ring and pool allocated */
	u64 wrapped_at;            /* step at which the device's avail idx wrapped */
} P;

/* ---- the device's transport: interrupts go straight to the guest ---- */

static void prop_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	(void)q;
	if (kind != VS_VDEV_IRQ_VRING)
		return;
	P.irqs++;
	if (P.vq)
		vring_interrupt(0, P.vq);
}

static const struct vs_vdev_transport_ops prop_tops = { .interrupt = prop_interrupt };

static void prop_handle(struct vs_vdev *vdev, struct vs_vq *vq)
{
	(void)vdev;
	(void)vq; /* the test drives the device itself */
}

static const struct vs_device_model prop_model = {
	.name = "prop",
	.device_id = 0x7ff0,
	.num_queues = 1,
	.queue_size_max = 64,
	.handle_queue = prop_handle,
};

/* ---- the guest's transport ---- */

static bool prop_notify(struct virtqueue *vq)
{
	(void)vq;
	return true;
}

static void prop_callback(struct virtqueue *vq)
{
	P.callbacks++;
	P.armed = false;
	/* As a NAPI driver: no more callbacks until the ring is drained. */
	virtqueue_disable_cb(vq);
}

static void device_program(void)
{
	ck_assert_int_eq(vs_vdev_queue_set_num(P.vdev, 0, virtqueue_get_vring_size(P.vq)), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(P.vdev, 0, VS_VQ_AREA_DESC,
						virtqueue_get_desc_addr(P.vq)), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(P.vdev, 0, VS_VQ_AREA_DRIVER,
						virtqueue_get_avail_addr(P.vq)), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(P.vdev, 0, VS_VQ_AREA_DEVICE,
						virtqueue_get_used_addr(P.vq)), 0);
	ck_assert_int_eq(vs_vdev_queue_set_ready(P.vdev, 0, 1), 0);
	ck_assert_int_eq(P.dvq->broken, 0);
}

static int prop_disable_vq_and_reset(struct virtqueue *vq)
{
	(void)vq;
	P.resets++;
	return vs_vdev_queue_reset(P.vdev, 0);
}

static int prop_enable_vq_after_reset(struct virtqueue *vq)
{
	(void)vq;
	device_program();
	return 0;
}

static const struct virtio_config_ops prop_config = {
	.disable_vq_and_reset = prop_disable_vq_and_reset,
	.enable_vq_after_reset = prop_enable_vq_after_reset,
};

/* ---- setup ---- */

static u64 feature_bits(const struct config *c)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_RING_RESET);

	if (c->packed)
		f |= BIT_ULL(VIRTIO_F_RING_PACKED);
	if (c->indirect)
		f |= BIT_ULL(VIRTIO_F_INDIRECT_DESC);
	if (c->event)
		f |= BIT_ULL(VIRTIO_F_EVENT_IDX);
	if (c->in_order)
		f |= BIT_ULL(VIRTIO_F_IN_ORDER);
	return f;
}

static void prop_setup(const struct config *c, uint64_t seed)
{
	struct vs_vdev_env env;
	struct vs_guest_env genv;
	struct vs_device_params params = { 0 };
	u64 f = feature_bits(c);

	memset(&P, 0, sizeof(P));
	P.cfg = c;
	vs_log_set_level(VS_LOG_ERROR);
	vs_prng_seed_stream(&P.prng, seed, c->name);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &P.arena), 0);
	ck_assert_int_eq(vs_loop_create(&P.loop), 0);
	genv = (struct vs_guest_env){ P.arena, NULL, NULL, NULL, NULL };
	ck_assert_int_eq(vs_shim_bind(&genv), 0);

	/* the device, live up to DRIVER_OK with the same features */
	env = (struct vs_vdev_env){ .arena = P.arena, .loop = P.loop, .seed = seed };
	params.features_add = f;
	ck_assert_int_eq(vs__vdev_create(&prop_model, &params, &env, &P.vdev), 0);
	ck_assert_int_eq(vs_vdev_bind(P.vdev, &prop_tops, NULL, 0), 0);
	vs_vdev_set_status(P.vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vs_vdev_set_driver_features_word(P.vdev, 0, (u32)f);
	vs_vdev_set_driver_features_word(P.vdev, 1, (u32)(f >> 32));
	vs_vdev_set_status(P.vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_uint_eq(vs_vdev_status_peek(P.vdev) & VIRTIO_CONFIG_S_FEATURES_OK,
			  VIRTIO_CONFIG_S_FEATURES_OK);
	P.dvq = vs_vdev_queue(P.vdev, 0);

	/* the guest's queue */
	dev_set_name(&P.gdev.dev, "prop");
	INIT_LIST_HEAD(&P.gdev.vqs);
	P.gdev.features = f;
	P.gdev.config = &prop_config;
	P.pool = kmalloc(MAX_TOKENS * SLOT, GFP_KERNEL);
	ck_assert_ptr_nonnull(P.pool);
	P.pool_gpa = virt_to_phys(P.pool);
	P.vq = vring_create_virtqueue(0, c->num, 4096, &P.gdev, true, false, c->ctx, prop_notify,
				      prop_callback, "propq");
	ck_assert_ptr_nonnull(P.vq);
	ck_assert_uint_eq(virtqueue_get_vring_size(P.vq), c->num);
	device_program();
	vs_vdev_set_status(P.vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(virtqueue_enable_cb(P.vq));
	P.armed = true;
	P.baseline = vs_arena_allocated(P.arena);
}

static void prop_teardown(void)
{
	vring_del_virtqueue(P.vq);
	P.vq = NULL;
	kfree(P.pool);
	ck_assert_uint_eq(vs_arena_allocated(P.arena), 0);
	vs_shim_unbind();
	vs_vdev_destroy(P.vdev);
	vs_loop_destroy(P.loop);
	vs_arena_destroy(P.arena);
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)vs_prng_below(&P.prng, n);
}

/* ---- driver actions ---- */

static int free_token(void)
{
	unsigned int start = rnd(MAX_TOKENS), i;

	for (i = 0; i < MAX_TOKENS; i++) {
		unsigned int k = (start + i) % MAX_TOKENS;

		if (P.tok[k].state == T_FREE)
			return (int)k;
	}
	return -1;
}

static void driver_add(void)
{
	struct scatterlist sg[SEGS], *sgs[SEGS];
	int k = free_token();
	struct token *t;
	unsigned int total, i;
	u8 *base;
	int err;

	if (k < 0)
		return;
	t = &P.tok[k];
	base = P.pool + (unsigned int)k * SLOT;
	/* 1..4 buffers, readable ones first, then writable ones. */
	total = 1 + rnd(SEGS);
	if (rnd(4) == 0)
		total = 1;
	/* A direct chain longer than the ring never fits. */
	if (!P.cfg->indirect && total > P.cfg->num)
		total = P.cfg->num;
	t->nout = rnd(total + 1);
	t->nin = total - t->nout;
	t->in_len = 0;
	t->pattern = (u8)rnd(256);
	for (i = 0; i < total; i++) {
		t->len[i] = 1 + rnd(SEG_SIZE);
		sg_init_one(&sg[i], base + i * SEG_SIZE, t->len[i]);
		sgs[i] = &sg[i];
		if (i >= t->nout)
			t->in_len += t->len[i];
		else
			memset(base + i * SEG_SIZE, t->pattern, t->len[i]);
	}
	err = P.cfg->ctx ? virtqueue_add_sgs_ctx(P.vq, sgs, t->nout, t->nin, t, &t->ctx, GFP_KERNEL)
			 : virtqueue_add_sgs(P.vq, sgs, t->nout, t->nin, t, GFP_KERNEL);
	if (err == -ENOSPC) {
		/* Only when it really does not fit. */
		unsigned int need = P.cfg->indirect && total > 1 ? 1 : total;

		REQUIRE(P.vq->num_free < need);
		return;
	}
	REQUIRE(err == 0);
	t->state = T_ADDED;
	P.outstanding++;
	P.added++;
	if (P.idle)
		P.owed = true;
}

static void driver_kick(void)
{
	bool kick = virtqueue_kick_prepare(P.vq);

	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.4/.6
	 * (and the packed twin): the device said "kick me when you add". */
	if (P.owed && !kick)
		ck_abort_msg("%s: device idle, buffers added, no kick", P.cfg->name);
	if (kick) {
		REQUIRE(virtqueue_notify(P.vq));
		P.idle = P.owed = false;
	}
}

static void check_returned(struct token *t, unsigned int len, void *ctx)
{
	const u8 *in;
	unsigned int i, off = 0;

	if (t < P.tok || t >= P.tok + MAX_TOKENS)
		ck_abort_msg("%s: foreign token", P.cfg->name);
	if (t->state != T_PUSHED)
		ck_abort_msg("%s: token %ld returned in state %d", P.cfg->name, (long)(t - P.tok),
			     t->state);
	REQUIRE(len == t->pushed_len);
	if (P.cfg->ctx)
		REQUIRE(ctx == &t->ctx);
	/* The bytes the device wrote, across the writable buffers. */
	in = P.pool + (unsigned int)(t - P.tok) * SLOT;
	for (i = t->nout; i < t->nout + t->nin && off < len; i++) {
		unsigned int j;

		for (j = 0; j < t->len[i] && off < len; j++, off++)
			REQUIRE(in[i * SEG_SIZE + j] == (u8)(t->pattern + 1 + off));
	}
	t->state = T_FREE;
	P.outstanding--;
	P.returned++;
}

static void driver_drain(void)
{
	unsigned int len;
	void *ctx = NULL;
	struct token *t;

	while ((t = virtqueue_get_buf_ctx(P.vq, &len, &ctx)) != NULL)
		check_returned(t, len, ctx);
	REQUIRE(!virtqueue_is_broken(P.vq));
}

/* Drain, then turn callbacks back on the way a driver would. */
static void driver_poll_and_enable(void)
{
	unsigned int how = rnd(3), tries;

	for (tries = 0; tries < 4; tries++) {
		bool quiet;

		driver_drain();
		if (how == 0) {
			quiet = virtqueue_enable_cb(P.vq);
		} else if (how == 1) {
			unsigned int pos = virtqueue_enable_cb_prepare(P.vq);

			quiet = !virtqueue_poll(P.vq, pos);
		} else {
			/* Armed for later, not for the next push. */
			P.armed = false;
			quiet = virtqueue_enable_cb_delayed(P.vq);
			if (quiet)
				return;
		}
		if (quiet) {
			P.armed = true;
			return;
		}
		virtqueue_disable_cb(P.vq);
	}
}

static void recycle(struct virtqueue *vq, void *buf)
{
	struct token *t = buf;

	(void)vq;
	REQUIRE(t->state == T_ADDED || t->state == T_POPPED || t->state == T_PUSHED);
	t->state = T_FREE;
	P.outstanding--;
	P.returned++;
}

static void queue_reset(void)
{
	REQUIRE(virtqueue_reset(P.vq, recycle) == 0);
	REQUIRE(P.outstanding == 0);
	REQUIRE(P.vq->num_free == P.cfg->num);
	/* Everything the device held is void; the ring starts over. */
	P.nheld = 0;
	P.idle = P.owed = false;
	P.armed = false;
	REQUIRE(vs_arena_allocated(P.arena) == P.baseline);
	driver_poll_and_enable();
}

/* ---- device actions ---- */

static void device_pop(void)
{
	unsigned int n = 1 + rnd(4);

	while (n-- && P.nheld < MAX_TOKENS) {
		struct vs_vq_elem *e = &P.held[P.nheld];
		struct token *t;
		unsigned int k, i;
		u8 got[SEG_SIZE];
		int err = vs_vq_pop(P.dvq, e);

		if (err == -ENOENT) {
			P.idle = true;
			return;
		}
		if (err)
			ck_abort_msg("%s: pop failed %d", P.cfg->name, err);
		/* Which token: its first buffer's slot in the pool. */
		k = (unsigned int)(((e->out_num ? e->out[0].gpa : e->in[0].gpa) - P.pool_gpa) / SLOT);
		REQUIRE(k < MAX_TOKENS);
		t = &P.tok[k];
		if (t->state != T_ADDED)
			ck_abort_msg("%s: token %u popped in state %d", P.cfg->name, k, t->state);
		REQUIRE(e->out_num == t->nout);
		REQUIRE(e->in_num == t->nin);
		for (i = 0; i < t->nout; i++) {
			REQUIRE(e->out[i].gpa == P.pool_gpa + k * SLOT + i * SEG_SIZE);
			REQUIRE(e->out[i].len == t->len[i]);
		}
		for (i = 0; i < t->nin; i++) {
			REQUIRE(e->in[i].gpa == P.pool_gpa + k * SLOT + (t->nout + i) * SEG_SIZE);
			REQUIRE(e->in[i].len == t->len[t->nout + i]);
		}
		REQUIRE(e->in_len == t->in_len);
		if (t->nout) {
			REQUIRE(vs_vq_read(P.dvq, e, 0, got, t->len[0]) == 0);
			for (i = 0; i < t->len[0]; i++)
				REQUIRE(got[i] == t->pattern);
		}
		t->state = T_POPPED;
		P.nheld++;
		if (!P.cfg->packed && P.dvq->last_avail_idx == 0 && P.added > 1 && !P.wrapped_at)
			P.wrapped_at = P.added;
		/* It took what was there: kicks are owed again only after it
		 * finds the ring empty. */
		P.idle = P.owed = false;
	}
}

static void device_push(void)
{
	unsigned int n = 1 + rnd(4);

	while (n-- && P.nheld) {
		/* In order: oldest first (spec dev.reserved.3); else any. */
		unsigned int at = P.cfg->in_order ? 0 : rnd(P.nheld), k, i;
		struct vs_vq_elem e = P.held[at];
		struct token *t;
		u8 data[SEGS * SEG_SIZE];
		u32 len;
		bool armed = P.armed;
		u64 irqs = P.irqs;

		memmove(&P.held[at], &P.held[at + 1], (P.nheld - at - 1) * sizeof(P.held[0]));
		P.nheld--;
		k = (unsigned int)(((e.out_num ? e.out[0].gpa : e.in[0].gpa) - P.pool_gpa) / SLOT);
		t = &P.tok[k];
		len = rnd(4) ? (u32)rnd((unsigned int)t->in_len + 1) : t->in_len;
		for (i = 0; i < len; i++)
			data[i] = (u8)(t->pattern + 1 + i);
		if (len)
			REQUIRE(vs_vq_write(P.dvq, &e, 0, data, len) == 0);
		t->pushed_len = len;
		t->state = T_PUSHED;
		REQUIRE(vs_vq_push(P.dvq, &e, len) == 0);
		/* Callbacks were on with nothing pending: this completion must
		 * be notified (spec dev.basic.virtqueues.used-buffer-notification-suppression.3/.5,
		 * packed 2.8.10). */
		if (armed && P.irqs == irqs)
			ck_abort_msg("%s: armed, pushed, no interrupt", P.cfg->name);
	}
}

/* ---- the run ---- */

static void run_config(const struct config *c, uint64_t seed)
{
	unsigned int step;

	prop_setup(c, seed);
	for (step = 0; step < c->steps; step++) {
		unsigned int r = rnd(1000);

		/* Queue resets only in the last fifth: the indices run long first. */
		if (r == 999 && step < c->steps / 5 * 4)
			r = 998;
		if (r < 330)
			driver_add();
		else if (r < 430)
			driver_kick();
		else if (r < 640)
			device_pop();
		else if (r < 880)
			device_push();
		else if (r < 999)
			driver_poll_and_enable();
		else
			queue_reset();
		REQUIRE(!P.dvq->broken);
		REQUIRE(!(vs_vdev_status_peek(P.vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET));
	}
	/* Finish everything: all tokens back, every indirect table freed. */
	for (step = 0; P.outstanding && step < 100000; step++) {
		driver_kick();
		device_pop();
		device_push();
		driver_drain();
	}
	ck_assert_uint_eq(P.outstanding, 0);
	ck_assert_uint_eq(P.returned, P.added);
	ck_assert_uint_eq(P.vq->num_free, c->num);
	ck_assert_uint_eq(vs_arena_allocated(P.arena), P.baseline);
	/* The run went round: many laps of the ring, queue resets, callbacks. */
	ck_assert_uint_gt(P.added, 1000u * c->num);
	if (!c->packed && c->steps >= 700000)
		ck_assert_uint_gt(P.wrapped_at, 0);
	ck_assert_uint_gt(P.callbacks, 1000);
	ck_assert_uint_gt(P.resets, 0);

	/* Teardown with buffers in every state: added, popped, pushed. */
	for (step = 0; step < 3 * c->num; step++) {
		driver_add();
		if (step % 3 == 0)
			device_pop();
		if (step % 5 == 0)
			device_push();
	}
	vs_vdev_reset(P.vdev);
	{
		unsigned int before = P.outstanding, n = 0;
		void *t;

		while ((t = virtqueue_detach_unused_buf(P.vq)) != NULL) {
			recycle(P.vq, t);
			n++;
		}
		ck_assert_uint_eq(n, before);
		ck_assert_uint_eq(P.outstanding, 0);
	}
	ck_assert_uint_eq(vs_arena_allocated(P.arena), P.baseline);
	prop_teardown();
}

START_TEST(random_run)
{
	run_config(&configs[_i], 0x5eed0000u + (uint64_t)_i);
}
END_TEST

/* Both 16-bit indices wrap in the long split run, both wrap counters
 * flip many times in the packed ones: check it from the device's side. */
START_TEST(indices_wrap)
{
	const struct config c = { "wrap", false, false, true, false, false, 4, 0 };
	const struct config p = { "wrap-packed", true, false, true, false, false, 3, 0 };
	unsigned int i, flips = 0;
	uint8_t last;

	prop_setup(&c, 1);
	for (i = 0; i < 70000; i++) {
		driver_add();
		driver_kick();
		device_pop();
		device_push();
		driver_drain();
	}
	ck_assert_uint_eq(P.returned, 70000);
	ck_assert_uint_eq(P.dvq->last_avail_idx, 70000u % 65536u);
	ck_assert_uint_eq(P.dvq->used_idx, 70000u % 65536u);
	prop_teardown();

	prop_setup(&p, 2);
	last = P.dvq->used_wrap;
	for (i = 0; i < 3000; i++) {
		driver_add();
		driver_kick();
		device_pop();
		device_push();
		driver_drain();
		if (P.dvq->used_wrap != last) {
			flips++;
			last = P.dvq->used_wrap;
		}
	}
	ck_assert_uint_eq(P.returned, 3000);
	ck_assert_uint_ge(flips, 500);
	ck_assert_uint_eq(P.dvq->avail_wrap, P.dvq->used_wrap);
	prop_teardown();
}
END_TEST

static Suite *ring_property_suite(void)
{
	Suite *s = suite_create("ring_property");
	TCase *tc = tcase_create("Random");

	tcase_add_loop_test(tc, random_run, 0, NCONFIGS);
	tcase_add_test(tc, indices_wrap);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_property_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
