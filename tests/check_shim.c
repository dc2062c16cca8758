/*
 * check_shim.c - the kernel shim under guest code: kmalloc from the arena
 * (alignment, zeroing, freeing, bad frees), page allocations, the direct
 * map, scatterlists, wait queues and completions on the virtual clock,
 * msleep, register access over the bus, interrupt handlers over core/irq,
 * fault points, ERR_PTR.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/loop.h"
#include "driver/shim.h"

#define ARENA_SIZE (1u << 20)

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_bus *bus;
static struct vs_irq *irqc;
static struct vs_faults faults;

static void setup(void)
{
	struct vs_guest_env env;

	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irqc), 0);
	vs_faults_init(&faults, 1);
	env = (struct vs_guest_env){ arena, bus, irqc, loop, &faults };
	ck_assert_int_eq(vs_shim_bind(&env), 0);
}

static void teardown(void)
{
	vs_shim_unbind();
	/* Every test frees what it allocated. */
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_irq_destroy(irqc);
	vs_bus_destroy(bus);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

/* ---- Memory ---- */

START_TEST(bind_twice_is_busy)
{
	struct vs_guest_env env = { arena, NULL, NULL, NULL, NULL };

	ck_assert_int_eq(vs_shim_bind(&env), -EBUSY);
	ck_assert_ptr_nonnull(vs_shim_env());
}
END_TEST

START_TEST(kmalloc_alignment)
{
	static const struct {
		size_t size;
		uint64_t align;
	} cases[] = {
		{ 1, 16 }, { 16, 16 }, { 24, 16 }, { 64, 64 }, { 100, 16 },
		{ 128, 128 }, { 2048, 2048 }, { 4096, 4096 }, { 5000, 4096 },
	};
	void *p[ARRAY_SIZE(cases)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p[i] = kmalloc(cases[i].size, GFP_KERNEL);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_eq(virt_to_phys(p[i]) % cases[i].align, 0);
		ck_assert_uint_ne(virt_to_phys(p[i]), 0);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		kfree(p[i]);
}
END_TEST

START_TEST(kzalloc_zeroes_reused_memory)
{
	static u8 *held[ARENA_SIZE / 256];
	u8 *a = kmalloc(256, GFP_KERNEL), *b = NULL;
	phys_addr_t pa = virt_to_phys(a);
	unsigned int i, n = 0;

	memset(a, 0xa5, 256);
	kfree(a);
	/* Allocate until the dirty block comes back (the arena moves on
	 * first, then wraps). */
	while (n < ARRAY_SIZE(held)) {
		b = kzalloc(256, GFP_KERNEL);
		ck_assert_ptr_nonnull(b);
		held[n++] = b;
		if (virt_to_phys(b) == pa)
			break;
	}
	ck_assert_uint_eq(virt_to_phys(b), pa);
	for (i = 0; i < 256; i++)
		ck_assert_uint_eq(b[i], 0);
	while (n)
		kfree(held[--n]);
}
END_TEST

START_TEST(kfree_returns_memory)
{
	u64 before = vs_arena_allocated(arena);
	void *p = kmalloc(1000, GFP_KERNEL);

	ck_assert_uint_eq(vs_arena_allocated(arena), before + 1008);
	kfree(p);
	ck_assert_uint_eq(vs_arena_allocated(arena), before);
	kfree(NULL);
	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	ck_assert_uint_eq(vs_arena_allocated(arena), before);
}
END_TEST

START_TEST(kcalloc_overflow_is_null)
{
	u32 *p;

	ck_assert_ptr_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
	ck_assert_ptr_null(kmalloc(ARENA_SIZE * 2, GFP_KERNEL));
	p = kcalloc(10, sizeof(*p), GFP_KERNEL);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p[9], 0);
	kfree(p);
}
END_TEST

START_TEST(kfree_twice_bugs)
{
	void *p = kmalloc(32, GFP_KERNEL);

	kfree(p);
	kfree(p); /* BUG: abort */
}
END_TEST

START_TEST(kfree_host_pointer_bugs)
{
	static int x;

	kfree(&x); /* not guest RAM: BUG */
}
END_TEST

START_TEST(pages_exact)
{
	void *p = alloc_pages_exact(5000, GFP_KERNEL);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(virt_to_phys(p) % PAGE_SIZE, 0);
	ck_assert_uint_eq(vs_arena_allocated(arena), 2 * PAGE_SIZE);
	free_pages_exact(p, 5000);
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
}
END_TEST

START_TEST(direct_map_round_trip)
{
	u8 *p = kmalloc(64, GFP_KERNEL);
	phys_addr_t pa = virt_to_phys(p + 5);

	ck_assert_ptr_eq(phys_to_virt(pa), p + 5);
	ck_assert_ptr_eq(vs_arena_translate(arena, pa, 1), p + 5);
	ck_assert_ptr_null(phys_to_virt(ARENA_SIZE));
	ck_assert_uint_eq(guest_ram_end(), ARENA_SIZE);
	kfree(p);
}
END_TEST

START_TEST(unbound_kmalloc_is_null)
{
	vs_shim_unbind();
	ck_assert_ptr_null(kmalloc(16, GFP_KERNEL));
	ck_assert_ptr_null(vs_shim_env());
	/* teardown unbinds again: harmless */
}
END_TEST

/* ---- Scatterlist ---- */

START_TEST(sg_table_walk)
{
	struct scatterlist sg[3];
	u8 *buf = kmalloc(96, GFP_KERNEL);
	struct scatterlist *s;
	unsigned int n = 0;

	sg_init_table(sg, 3);
	ck_assert(sg_is_last(&sg[2]));
	ck_assert(!sg_is_last(&sg[1]));
	sg_set_buf(&sg[0], buf, 10);
	sg_set_buf(&sg[1], buf + 32, 20);
	sg_set_buf(&sg[2], buf + 64, 30);
	for (s = sg; s; s = sg_next(s)) {
		ck_assert_ptr_eq(sg_virt(s), buf + 32 * n);
		ck_assert_uint_eq(sg_phys(s), virt_to_phys(buf) + 32 * n);
		ck_assert_uint_eq(s->length, 10 * (n + 1));
		n++;
	}
	ck_assert_uint_eq(n, 3);
	sg_mark_end(&sg[1]);
	ck_assert_uint_eq(sg_nents(sg), 2);
	sg_unmark_end(&sg[1]);
	ck_assert_uint_eq(sg_nents(sg), 3);
	kfree(buf);
}
END_TEST

START_TEST(sg_one_and_chain)
{
	struct scatterlist a[2], b[2], one;
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist *s;

	sg_init_one(&one, buf, 64);
	ck_assert(sg_is_last(&one));
	ck_assert_ptr_null(sg_next(&one));
	ck_assert_uint_eq(one.length, 64);

	sg_init_table(a, 2);
	sg_init_table(b, 2);
	sg_set_buf(&a[0], buf, 1);
	sg_chain(a, 2, b); /* a[1] links to b */
	sg_set_buf(&b[0], buf + 16, 2);
	sg_set_buf(&b[1], buf + 32, 3);
	s = sg_next(&a[0]);
	ck_assert_ptr_eq(s, &b[0]);
	s = sg_next(s);
	ck_assert_ptr_eq(s, &b[1]);
	ck_assert_ptr_null(sg_next(s));
	ck_assert_uint_eq(sg_nents(a), 3);
	kfree(buf);
}
END_TEST

/* ---- Wait ---- */

static bool flag;
static DECLARE_WAIT_QUEUE_HEAD(test_wq);
static struct completion test_done;

static void set_flag(void *opaque)
{
	(void)opaque;
	flag = true;
	wake_up(&test_wq);
}

static void do_complete(void *opaque)
{
	complete(opaque);
}

START_TEST(wait_timeout_advances_exactly)
{
	u64 t0 = vs_loop_now(loop);
	long ret;

	flag = false;
	ret = wait_event_timeout(test_wq, flag, 250);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(vs_loop_now(loop) - t0, 250 * NSEC_PER_MSEC);
	ck_assert_uint_eq(jiffies, 250);
}
END_TEST

START_TEST(wait_condition_already_true)
{
	flag = true;
	ck_assert_int_eq(wait_event_timeout(test_wq, flag, 40), 40);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
}
END_TEST

START_TEST(wait_woken_by_deferred_work)
{
	struct vs_work w;
	long ret;

	flag = false;
	test_wq.wakeups = 0;
	vs_work_init(&w, set_flag, NULL);
	vs_loop_defer(loop, &w);
	ret = wait_event_timeout(test_wq, flag, 100);
	ck_assert_int_eq(ret, 100); /* no virtual time passed */
	ck_assert(flag);
	ck_assert_uint_eq(test_wq.wakeups, 1);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
}
END_TEST

START_TEST(wait_woken_by_timer)
{
	struct vs_timer t;
	long ret;

	flag = false;
	vs_timer_init(&t, set_flag, NULL);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t, 30 * NSEC_PER_MSEC), 0);
	ret = wait_event_timeout(test_wq, flag, 100);
	ck_assert_int_eq(ret, 70);
	ck_assert_uint_eq(vs_loop_now(loop), 30 * NSEC_PER_MSEC);
}
END_TEST

START_TEST(wait_timer_after_deadline_does_not_fire)
{
	struct vs_timer t;

	flag = false;
	vs_timer_init(&t, set_flag, NULL);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t, 200 * NSEC_PER_MSEC), 0);
	ck_assert_int_eq(wait_event_timeout(test_wq, flag, 100), 0);
	ck_assert(!flag);
	ck_assert_uint_eq(vs_loop_now(loop), 100 * NSEC_PER_MSEC);
	vs_loop_timer_stop(loop, &t);
}
END_TEST

START_TEST(completion_from_deferred_work)
{
	struct vs_work w;
	unsigned long left;

	init_completion(&test_done);
	vs_work_init(&w, do_complete, &test_done);
	vs_loop_defer(loop, &w);
	left = wait_for_completion_timeout(&test_done, 10);
	ck_assert_uint_eq(left, 10);
	/* consumed: a second wait times out after exactly 10 jiffies */
	ck_assert(!completion_done(&test_done));
	ck_assert_uint_eq(wait_for_completion_timeout(&test_done, 10), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 10 * NSEC_PER_MSEC);
	complete_all(&test_done);
	ck_assert(try_wait_for_completion(&test_done));
	ck_assert(try_wait_for_completion(&test_done));
}
END_TEST

START_TEST(msleep_runs_virtual_time)
{
	msleep(7);
	ck_assert_uint_eq(vs_loop_now(loop), 7 * NSEC_PER_MSEC);
	ck_assert_uint_eq(nsecs_to_jiffies(1), 1);
	ck_assert_uint_eq(nsecs_to_jiffies(2000000), 2);
	ck_assert_uint_eq(msecs_to_jiffies(1000), HZ);
}
END_TEST

START_TEST(wait_without_loop_times_out_at_once)
{
	struct vs_guest_env env = { arena, NULL, NULL, NULL, NULL };

	vs_shim_unbind();
	ck_assert_int_eq(vs_shim_bind(&env), 0);
	flag = false;
	ck_assert_int_eq(wait_event_timeout(test_wq, flag, 1000), 0);
	ck_assert_uint_eq(jiffies, 0);
}
END_TEST

/* ---- Registers and interrupts ---- */

static struct {
	int is_write;
	uint64_t off, val;
	unsigned width;
	unsigned n;
} regs_seen;

static int regs_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	(void)opaque;
	regs_seen.is_write = 0;
	regs_seen.off = off;
	regs_seen.width = width;
	regs_seen.n++;
	*val = 0x1122334455667788ull & (width == 8 ? ~0ull : ((1ull << (8 * width)) - 1));
	return 0;
}

static int regs_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	(void)opaque;
	regs_seen.is_write = 1;
	regs_seen.off = off;
	regs_seen.width = width;
	regs_seen.val = val;
	regs_seen.n++;
	return 0;
}

static const struct vs_bus_region_ops regs_ops = { regs_read, regs_write };

START_TEST(io_over_the_bus)
{
	void __iomem *base;

	ck_assert_int_eq(vs_bus_map(bus, 0x10000000, 0x100, "regs", &regs_ops, NULL), 0);
	base = ioremap(0x10000000, 0x100);
	ck_assert_ptr_nonnull(base);
	writel(0xdeadbeef, base + 0x10);
	ck_assert_int_eq(regs_seen.is_write, 1);
	ck_assert_uint_eq(regs_seen.off, 0x10);
	ck_assert_uint_eq(regs_seen.width, 4);
	ck_assert_uint_eq(regs_seen.val, 0xdeadbeef);
	writeb(0x5a, base + 3);
	ck_assert_uint_eq(regs_seen.width, 1);
	ck_assert_uint_eq(regs_seen.val, 0x5a);
	ck_assert_uint_eq(readw(base + 0x20), 0x7788);
	ck_assert_uint_eq(regs_seen.off, 0x20);
	ck_assert_uint_eq(regs_seen.width, 2);
	ck_assert_uint_eq(readl(base), 0x55667788);
	ck_assert_uint_eq(readq(base), 0x1122334455667788ull);
	ck_assert_uint_eq(readb(base), 0x88);
	/* Off the end of the region: unmapped, all-ones, no handler call. */
	regs_seen.n = 0;
	ck_assert_uint_eq(readl(base + 0x100), 0xffffffffu);
	ck_assert_uint_eq(regs_seen.n, 0);
	iounmap(base);
	ck_assert_int_eq(vs_bus_unmap(bus, 0x10000000), 0);
}
END_TEST

static int irq_calls, irq_seen_line;
static void *irq_seen_dev;

static irqreturn_t test_handler(int irq, void *dev_id)
{
	irq_calls++;
	irq_seen_line = irq;
	irq_seen_dev = dev_id;
	return IRQ_HANDLED;
}

START_TEST(irq_request_raise_free)
{
	unsigned line;
	int token;

	irq_calls = 0;
	ck_assert_int_eq(vs_irq_alloc_line(irqc, &line), 0);
	ck_assert_int_eq(request_irq(line, test_handler, IRQF_SHARED, "t", &token), 0);
	ck_assert_int_eq(request_irq(line, test_handler, 0, "t2", &token), -EBUSY);
	ck_assert_int_eq(vs_irq_raise(irqc, line), 0);
	ck_assert_int_eq(irq_calls, 1);
	ck_assert_int_eq(irq_seen_line, (int)line);
	ck_assert_ptr_eq(irq_seen_dev, &token);
	ck_assert_ptr_null(free_irq(line, NULL)); /* not its owner */
	ck_assert_str_eq(free_irq(line, &token), "t");
	ck_assert_int_eq(vs_irq_raise(irqc, line), 0);
	ck_assert_int_eq(irq_calls, 1);
	ck_assert_int_eq(request_irq(VS_IRQ_MAX_LINES, test_handler, 0, "x", NULL), -EINVAL);
	vs_irq_free_line(irqc, line);
}
END_TEST

/* ---- Faults and errors ---- */

START_TEST(fault_points_follow_switches)
{
	ck_assert(!virtio_should_fail(VS_FAULT_DRV_DESC_LOOP));
	vs_faults_set(&faults, VS_FAULT_DRV_DESC_LOOP, VS_FAULT_COUNTED, 2, 0, 0);
	ck_assert(virtio_should_fail(VS_FAULT_DRV_DESC_LOOP));
	ck_assert(!virtio_should_fail(VS_FAULT_DRV_KICK_EARLY));
	ck_assert(virtio_should_fail(VS_FAULT_DRV_DESC_LOOP));
	ck_assert(!virtio_should_fail(VS_FAULT_DRV_DESC_LOOP));
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_DESC_LOOP].fired, 2);
}
END_TEST

START_TEST(err_ptr_round_trip)
{
	void *p = ERR_PTR(-ENOENT);
	int x;

	ck_assert(IS_ERR(p));
	ck_assert_int_eq(PTR_ERR(p), -ENOENT);
	ck_assert(IS_ERR_OR_NULL(NULL));
	ck_assert(!IS_ERR(&x));
	ck_assert(!IS_ERR_OR_NULL(&x));
	ck_assert_int_eq(PTR_ERR_OR_ZERO(&x), 0);
	ck_assert_int_eq(PTR_ERR_OR_ZERO(ERR_PTR(-EIO)), -EIO);
}
END_TEST

static Suite *shim_suite(void)
{
	Suite *s = suite_create("shim");
	TCase *tc;

	tc = tcase_create("Memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bind_twice_is_busy);
	tcase_add_test(tc, kmalloc_alignment);
	tcase_add_test(tc, kzalloc_zeroes_reused_memory);
	tcase_add_test(tc, kfree_returns_memory);
	tcase_add_test(tc, kcalloc_overflow_is_null);
	tcase_add_test_raise_signal(tc, kfree_twice_bugs, SIGABRT);
	tcase_add_test_raise_signal(tc, kfree_host_pointer_bugs, SIGABRT);
	tcase_add_test(tc, pages_exact);
	tcase_add_test(tc, direct_map_round_trip);
	tcase_add_test(tc, unbound_kmalloc_is_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("Scatterlist");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sg_table_walk);
	tcase_add_test(tc, sg_one_and_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("Wait");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wait_timeout_advances_exactly);
	tcase_add_test(tc, wait_condition_already_true);
	tcase_add_test(tc, wait_woken_by_deferred_work);
	tcase_add_test(tc, wait_woken_by_timer);
	tcase_add_test(tc, wait_timer_after_deadline_does_not_fire);
	tcase_add_test(tc, completion_from_deferred_work);
	tcase_add_test(tc, msleep_runs_virtual_time);
	tcase_add_test(tc, wait_without_loop_times_out_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("Io");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, io_over_the_bus);
	tcase_add_test(tc, irq_request_raise_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("Misc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_points_follow_switches);
	tcase_add_test(tc, err_ptr_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
