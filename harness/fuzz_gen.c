/*
 * fuzz_gen.c - making fuzz cases (fuzz.h): a random machine and random
 * steps, drawn from one prng stream per case.
 *
 * Case idx of a seed is seeded from (seed, idx) alone, so cases are
 * independent of each other and of how many ran before.  Every value is
 * kept inside what the scenario parser accepts, so a case written out and
 * read back is the same case (fuzz_write.c); the generator tracks which
 * devices it believes probed so most steps make sense, but a fault may
 * make a probe fail, and a later step on that device then fails cleanly --
 * results are "any" and the runner's own complaints are not findings.
 *
 * Runs once per case; costs microseconds next to running the case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/prng.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "harness/faults.h"
#include "harness/fuzz.h"

void vs_fuzz_opts_init(struct vs_fuzz_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sides = VS_FUZZ_SIDE_BOTH;
	o->transport = -1;
	o->ring = -1;
	o->seed = 1;
}

struct gen {
	const struct vs_fuzz_opts *o;
	struct vs_prng p;
	struct vs_scenario *s;
	int probed[VS_SCN_MAX_DEVICES];
	const struct vs_fault_info *faults[VS_FAULT_COUNT]; /* of the chosen sides */
	size_t n_faults;
};

static uint64_t below(struct gen *g, uint64_t n)
{
	return vs_prng_below(&g->p, n);
}

static int chance(struct gen *g, unsigned percent)
{
	return vs_prng_chance(&g->p, percent, 100);
}

/* Transport-level features a driver may negotiate, offered at random on
 * top of the model's (spec 6: reserved feature bits). */
static const unsigned extra_features[] = {
	VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX, VIRTIO_F_IN_ORDER,
	VIRTIO_F_NOTIFICATION_DATA, VIRTIO_F_RING_RESET,
};

static int pick_type(struct gen *g, char *out, size_t len)
{
	const char *const *t = vs_device_types();
	size_t n = 0;

	if (g->o->device[0]) {
		for (; t[n]; n++)
			if (strcmp(t[n], g->o->device) == 0)
				break;
		if (!t[n])
			return -EINVAL;
		snprintf(out, len, "%s", g->o->device);
		return 0;
	}
	while (t[n])
		n++;
	snprintf(out, len, "%s", t[below(g, n)]);
	return 0;
}

/*
 * A device of type as the parser makes it from {"type": type}: every
 * field a device model added to struct vs_scn_device gets the parser's
 * default, so a case written out reads back the same.  Parsed once per
 * type and kept.
 */
static int device_defaults(const char *type, struct vs_scn_device *out)
{
	static struct {
		char type[VS_SCN_NAME_MAX];
		struct vs_scn_device dev;
	} cache[VS_SCN_MAX_DEVICES];
	char text[256];
	struct vs_scenario s;
	size_t i;
	int rc;

	for (i = 0; i < VS_SCN_MAX_DEVICES && cache[i].type[0]; i++)
		if (strcmp(cache[i].type, type) == 0) {
			*out = cache[i].dev;
			return 0;
		}
	snprintf(text, sizeof(text),
		 "{\"name\": \"d\", \"machine\": {\"devices\": [{\"type\": \"%s\"}]}, "
		 "\"steps\": [{\"op\": \"probe\"}]}",
		 type);
	rc = vs_scenario_parse("fuzz", text, strlen(text), &s, NULL);
	if (rc < 0)
		return rc;
	*out = s.devices[0];
	vs_scenario_free(&s);
	if (i < VS_SCN_MAX_DEVICES) {
		snprintf(cache[i].type, sizeof(cache[i].type), "%s", type);
		cache[i].dev = *out;
	}
	return 0;
}

static int gen_machine(struct gen *g)
{
	static const uint64_t memory_mb[] = {1, 2, 4, 16};
	struct vs_scenario *s = g->s;
	size_t i, k;
	int rc;

	/* Case seeds stay below 2^53: the parser reads numbers as doubles. */
	s->seed = vs_prng_next(&g->p) & ((1ull << 53) - 1);
	s->seed_given = 1;
	s->memory = memory_mb[below(g, 4)] << 20;
	s->ring = chance(g, 30) ? VS_RING_PACKED : VS_RING_SPLIT;
	if (g->o->ring >= 0)
		s->ring = (enum vs_ring_kind)g->o->ring;
	if (g->o->transport >= 0 && vs_transport_is_legacy((enum vs_transport_kind)g->o->transport))
		s->ring = VS_RING_SPLIT; /* a legacy interface has only split rings */
	s->n_devices = chance(g, 20) ? 2 : 1;
	for (i = 0; i < s->n_devices; i++) {
		struct vs_scn_device *d = &s->devices[i];
		char type[VS_SCN_NAME_MAX];

		if ((rc = pick_type(g, type, sizeof(type))) < 0 ||
		    (rc = device_defaults(type, d)) < 0)
			return rc;
		memset(d->name, 0, sizeof(d->name));
		snprintf(d->name, sizeof(d->name), "%.40s%zu", type, i);
		if (g->o->transport >= 0)
			d->transport = (enum vs_transport_kind)g->o->transport;
		else if (s->ring == VS_RING_PACKED)
			d->transport = chance(g, 50) ? VS_TRANSPORT_MMIO : VS_TRANSPORT_PCI;
		else
			d->transport = (enum vs_transport_kind)below(g, 4);
		d->msix_vectors = VS_SCN_MSIX_DEFAULT;
		if (vs_transport_is_pci(d->transport) && chance(g, 30))
			d->msix_vectors = (int)below(g, 4);
		/* Small queues wrap often; 1 is the smallest the spec allows. */
		d->queue_size = chance(g, 50) ? 0 : 1u << below(g, 9);
		for (k = 0; k < sizeof(extra_features) / sizeof(extra_features[0]); k++)
			if (chance(g, 30))
				d->features_add |= 1ull << extra_features[k];
		/* Now and then a device without VERSION_1: the driver must refuse
		 * it cleanly (or drive it as legacy). */
		if (chance(g, 3))
			d->features_remove |= 1ull << VIRTIO_F_VERSION_1;
	}
	return 0;
}

static void gen_fault(struct gen *g, struct vs_scn_step *st)
{
	const struct vs_fault_info *fi = g->faults[below(g, g->n_faults)];
	unsigned m = (unsigned)below(g, 100);

	st->op = VS_STEP_FAULT;
	st->device = -1; /* fault switches are the machine's ... */
	st->result = VS_RESULT_OK; /* ... and take no result */
	st->fault = fi->id;
	if (m < 15) {
		st->fault_mode = VS_FAULT_OFF;
	} else if (m < 30) {
		st->fault_mode = VS_FAULT_ALWAYS;
	} else if (m < 70) {
		st->fault_mode = VS_FAULT_COUNTED;
		st->fault_count = 1 + (uint32_t)below(g, 4);
	} else {
		/* Whole percents: the file's "probability" reads back exactly. */
		st->fault_mode = VS_FAULT_PROBABILITY;
		st->prob_den = 1000000;
		st->prob_num = (1 + (uint32_t)below(g, 60)) * 10000;
	}
}

static uint32_t gen_bytes(struct gen *g)
{
	switch (below(g, 4)) {
	case 0:
		return 1 + (uint32_t)below(g, 8);
	case 1:
		return 1 + (uint32_t)below(g, 64);
	case 2:
		return 16;
	default:
		return 1 + (uint32_t)below(g, 4096);
	}
}

/* A block request: mostly inside the default capacity (2048 sectors),
 * now and then across its end (the driver must refuse it). */
static void gen_blk(struct gen *g, struct vs_scn_step *st)
{
	static const enum vs_step_op ops[] = {
		VS_STEP_BLK_WRITE, VS_STEP_BLK_WRITE, VS_STEP_BLK_READ, VS_STEP_BLK_READ,
		VS_STEP_BLK_FLUSH, VS_STEP_BLK_DISCARD, VS_STEP_BLK_WRITE_ZEROES, VS_STEP_BLK_GET_ID,
	};

	st->op = ops[below(g, sizeof(ops) / sizeof(ops[0]))];
	/* The parser's defaults for every blk step. */
	st->sector = 0;
	st->nsectors = 1;
	st->fill = -1;
	st->pattern = 1;
	st->blk_check = 1;
	for (size_t k = 0; k < 3; k++)
		st->blk_lifetime[k] = -1;
	if (st->op == VS_STEP_BLK_FLUSH || st->op == VS_STEP_BLK_GET_ID)
		return;
	st->sector = chance(g, 5) ? 2040 + below(g, 16) : below(g, 2048);
	st->nsectors = 1 + (uint32_t)below(g, chance(g, 80) ? 8 : 64);
	if (st->op == VS_STEP_BLK_WRITE) {
		if (chance(g, 20))
			st->fill = (int)below(g, 256);
		else
			st->pattern = below(g, 1000);
	}
	/* After a write a fault corrupted, comparing is the runner's
	 * business, not a finding: reads check only now and then. */
	if (st->op == VS_STEP_BLK_READ)
		st->blk_check = chance(g, 30);
}

/* A burst of frames: any kind, sizes from tiny to jumbo and TSO. */
static void gen_net(struct gen *g, struct vs_scn_step *st)
{
	static const uint32_t min_size[] = {64, 64, 64}; /* raw, csum, tso4: >= their headers */

	st->op = VS_STEP_NET_SEND;
	st->net_kind = (enum vs_net_frame_kind)below(g, 3);
	st->net_dst = chance(g, 10) ? VS_NET_DST_BROADCAST : VS_NET_DST_RECEIVER;
	st->net_vlan = -1;
	st->net_gso_size = st->net_kind == VS_NET_FRAME_TSO4 && chance(g, 50)
				   ? 100 + (uint32_t)below(g, 1400) : 1448;
	st->count = 1 + (uint32_t)below(g, 6);
	st->net_size_min = min_size[st->net_kind] + (uint32_t)below(g, 200);
	st->net_size_max = st->net_size_min +
			   (uint32_t)below(g, st->net_kind == VS_NET_FRAME_TSO4 ? 20000 : 1400);
}

/* A device-type step that moves data, or 0 when the type has none the
 * generator knows (it then gets lifecycle steps only). */
static int gen_traffic(struct gen *g, size_t d, struct vs_scn_step *st)
{
	if (strcmp(g->s->devices[d].type, "rng") == 0) {
		st->op = VS_STEP_RNG_READ;
		st->bytes = gen_bytes(g);
		st->count = chance(g, 70) ? 1 : 2 + (uint32_t)below(g, 3);
		st->wait = !chance(g, 10);
		return 1;
	}
	if (strcmp(g->s->devices[d].type, "blk") == 0) {
		gen_blk(g, st);
		return 1;
	}
	if (strcmp(g->s->devices[d].type, "net") == 0) {
		gen_net(g, st);
		return 1;
	}
	return 0;
}

static void gen_step(struct gen *g, struct vs_scn_step *st)
{
	size_t d = below(g, g->s->n_devices);
	unsigned r = (unsigned)below(g, 100);

	memset(st, 0, sizeof(*st));
	st->device = (int)d;
	st->result = VS_RESULT_ANY;
	if (!g->probed[d]) {
		if (r < 60 || !g->n_faults) {
			st->op = VS_STEP_PROBE;
			g->probed[d] = 1;
		} else if (r < 90) {
			gen_fault(g, st);
		} else if (r < 95) {
			st->op = VS_STEP_RUN;
			st->device = -1;
			st->result = VS_RESULT_OK;
			st->run_ns = below(g, 3) * 1000000000ull;
		} else {
			st->op = VS_STEP_CONFIG_CHANGE;
		}
		return;
	}
	if (r < 45 && gen_traffic(g, d, st))
		return;
	if (r < 70 && g->n_faults) {
		gen_fault(g, st);
	} else if (r < 80) {
		st->op = VS_STEP_RESET;
	} else if (r < 87) {
		st->op = VS_STEP_REMOVE;
		g->probed[d] = 0;
	} else if (r < 93) {
		st->op = VS_STEP_CONFIG_CHANGE;
	} else {
		st->op = VS_STEP_RUN;
		st->device = -1;
		st->result = VS_RESULT_OK;
		st->run_ns = below(g, 3) * 1000000000ull;
	}
}

int vs_fuzz_gen_case(const struct vs_fuzz_opts *o, uint64_t idx, struct vs_scenario *out)
{
	const struct vs_fault_info *cat;
	struct gen g;
	size_t n, i, n_steps;
	unsigned max = o->max_steps ? o->max_steps : 32;
	int rc;

	if (max > VS_FUZZ_MAX_CASE_STEPS)
		max = VS_FUZZ_MAX_CASE_STEPS;
	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	g.o = o;
	g.s = out;
	/* One stream per case: case idx never depends on the cases before. */
	vs_prng_seed_stream(&g.p, o->seed ^ (idx * 0x9e3779b97f4a7c15ull), "fuzz.case");
	cat = vs_faults_catalogue(&n);
	for (i = 0; i < n; i++)
		if (o->sides & (1u << cat[i].side))
			g.faults[g.n_faults++] = &cat[i];
	snprintf(out->file, sizeof(out->file), "fuzz:%llu:%llu", (unsigned long long)o->seed,
		 (unsigned long long)idx);
	snprintf(out->name, sizeof(out->name), "fuzz-%llu-%llu", (unsigned long long)o->seed,
		 (unsigned long long)idx);
	if ((rc = gen_machine(&g)) < 0)
		return rc;
	n_steps = 1 + (size_t)below(&g, max);
	out->steps = calloc(n_steps, sizeof(*out->steps));
	if (!out->steps)
		return -ENOMEM;
	for (i = 0; i < n_steps; i++)
		gen_step(&g, &out->steps[i]);
	out->n_steps = n_steps;
	return 0;
}
