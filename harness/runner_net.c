/*
 * runner_net.c - the net.* steps (runner_net.h).
 */
#include "harness/runner_net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "devices/net.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/net_frame.h"

#define DRAIN_EVERY 64u /* frames sent between two looks at the receivers */
#define FRAME_MAX (VS_NET_MAX_GSO_FRAME + 64u)

enum sent_state { IN_FLIGHT = 0, ARRIVED, WRITTEN_OFF };

struct sent {
	struct vs_net_frame_desc d;
	uint32_t got;      /* tso4: payload bytes seen so far */
	uint16_t receiver; /* device index */
	uint8_t state;     /* enum sent_state */
	uint8_t check;     /* compare bytes */
};

struct vs__net_run {
	struct sent *sent; /* indexed by sequence number */
	size_t n_sent, cap;
	uint64_t arrived[VS_SCN_MAX_DEVICES]; /* whole frames since the last net.expect */
	uint64_t other[VS_SCN_MAX_DEVICES];   /* frames that were not the runner's */
	char err[256];                        /* first mismatch seen while draining */
	uint8_t buf[FRAME_MAX], ref[FRAME_MAX];
};

struct vs__net_run *vs__net_run_create(void)
{
	return calloc(1, sizeof(struct vs__net_run));
}

void vs__net_run_destroy(struct vs__net_run *n)
{
	if (!n)
		return;
	free(n->sent);
	free(n);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void note(struct vs__net_run *n, const char *fmt, ...)
{
	va_list ap;

	if (n->err[0])
		return; /* the first is the one worth reading */
	va_start(ap, fmt);
	vsnprintf(n->err, sizeof(n->err), fmt, ap);
	va_end(ap);
}

static int is_net(const struct vs_machine_dev *md)
{
	return strcmp(md->desc->type, "net") == 0;
}

static size_t receiver_of(const struct vs_machine *m, size_t d)
{
	int peer = m->devs[d].desc->peer;

	return peer >= 0 ? (size_t)peer : d;
}

/* A tso4 frame's payload, as segments bring it: each must carry the
 * bytes at its offset, with its own checksums right. */
static void match_segment(struct vs__net_run *n, struct sent *s, const uint8_t *f, size_t len,
			  const struct vs_net_frame_id *id)
{
	uint32_t l2 = (uint32_t)(id->l4_payload - 40u);
	uint32_t total = s->d.size - l2 - 40u;

	if (!vs_net_frame_csums_ok(f, len)) {
		note(n, "a segment of frame %u arrived with a wrong IPv4 or TCP checksum", s->d.seq);
		return;
	}
	if (id->offset > total || id->payload_len > total - id->offset) {
		note(n, "a segment of frame %u carries payload [%u, +%u) beyond its %u bytes",
		     s->d.seq, id->offset, id->payload_len, total);
		return;
	}
	if (memcmp(f, n->ref, l2) != 0 ||
	    memcmp(f + id->l4_payload, n->ref + l2 + 40u + id->offset, id->payload_len) != 0) {
		note(n, "a segment of frame %u (payload offset %u) differs from what was sent",
		     s->d.seq, id->offset);
		return;
	}
	s->got += id->payload_len;
	if (s->got > total)
		note(n, "frame %u: %u payload bytes arrived for %u sent (a segment twice)", s->d.seq,
		     s->got, total);
}

static void match(struct vs__net_run *n, size_t d, uint8_t *f, size_t len,
		  const struct vs_guest_net_rx_meta *meta)
{
	struct vs_net_frame_id id;
	struct sent *s;
	size_t i;

	if (vs_net_frame_identify(f, len, &id) < 0) {
		note(n, "a %zu-byte test frame arrived with headers that do not add up", len);
		return;
	}
	if (!id.test) {
		n->other[d]++;
		return;
	}
	if (id.seq >= n->n_sent) {
		note(n, "a test frame arrived that was never sent (sequence %u)", id.seq);
		return;
	}
	s = &n->sent[id.seq];
	if (s->receiver != d) {
		note(n, "frame %u arrived at device %zu, but went out towards device %u", id.seq, d,
		     s->receiver);
		return;
	}
	if (s->state != IN_FLIGHT) {
		note(n, "frame %u arrived %s", id.seq,
		     s->state == ARRIVED ? "twice" : "after net.expect counted it lost");
		return;
	}
	if ((meta->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    vs_net_frame_complete_csum(f, len, meta->csum_start, meta->csum_offset) < 0) {
		note(n, "frame %u arrived with NEEDS_CSUM at %u+%u, outside its %zu bytes", id.seq,
		     meta->csum_start, meta->csum_offset, len);
		return;
	}
	if (s->check)
		vs_net_frame_build(&s->d, n->ref, NULL, 1);
	if (id.kind == VS_NET_FRAME_TSO4 && len != s->d.size) {
		if (s->check)
			match_segment(n, s, f, len, &id);
		else
			s->got += id.payload_len;
		if (s->got < s->d.size - (id.l4_payload - 40u) - 40u)
			return; /* more segments to come */
	} else if (len != s->d.size) {
		note(n, "frame %u arrived with %zu bytes, %u were sent", id.seq, len, s->d.size);
		return;
	} else if (s->check && memcmp(f, n->ref, len) != 0) {
		for (i = 0; i < len && f[i] == n->ref[i]; i++)
			;
		note(n, "frame %u arrived different from what was sent: byte %zu is 0x%02x, "
		     "expected 0x%02x", id.seq, i, f[i], n->ref[i]);
		return;
	}
	s->state = ARRIVED;
	n->arrived[d]++;
}

/* Take every frame device d's driver has received. */
static void drain(struct vs__net_run *n, struct vs_machine *m, size_t d)
{
	struct vs_guest_net_rx_meta meta;
	long got;

	if (m->devs[d].handle < 0 || !is_net(&m->devs[d]))
		return;
	while ((got = vs_guest_net_recv(m->devs[d].handle, n->buf, sizeof(n->buf), &meta, 0)) >= 0) {
		if ((size_t)got > sizeof(n->buf)) {
			note(n, "device %zu received a %ld-byte frame, larger than any sent", d, got);
			continue;
		}
		match(n, d, n->buf, (size_t)got, &meta);
	}
}

static void drain_all(struct vs__net_run *n, struct vs_machine *m)
{
	for (size_t d = 0; d < m->n_devs; d++)
		drain(n, m, d);
}

static struct sent *record(struct vs__net_run *n)
{
	if (n->n_sent == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 256;
		struct sent *s = realloc(n->sent, cap * sizeof(*s));

		if (!s)
			return NULL;
		n->sent = s;
		n->cap = cap;
	}
	memset(&n->sent[n->n_sent], 0, sizeof(n->sent[0]));
	n->sent[n->n_sent].d.seq = (uint32_t)n->n_sent;
	return &n->sent[n->n_sent];
}

static uint32_t frame_size(const struct vs_scn_step *st, uint32_t seq)
{
	uint32_t span = st->net_size_max - st->net_size_min + 1, x = seq * 0x2545f491u;

	x ^= x >> 16;
	return st->net_size_min + x % span;
}

static int send_frames(struct vs__net_run *n, struct vs_machine *m, size_t d,
		const struct vs_scn_step *st)
{
	struct vs_machine_dev *md = &m->devs[d];
	size_t r = receiver_of(m, d);
	struct vs_guest_net_offload off;
	struct vs_guest_net_info info;
	struct vs_net_state rs;
	uint32_t k;
	int rc;

	if ((rc = vs_guest_net_info(md->handle, &info)) < 0 ||
	    (rc = vs_net_get_state(m->devs[r].vdev, &rs)) < 0)
		return rc;
	for (k = 0; k < st->count; k++) {
		struct sent *s = record(n);

		if (!s)
			return -ENOMEM;
		s->d.size = frame_size(st, s->d.seq);
		s->d.kind = st->net_kind;
		s->d.vlan = st->net_vlan;
		s->d.gso_size = st->net_gso_size;
		memcpy(s->d.src, info.mac, 6);
		switch (st->net_dst) {
		case VS_NET_DST_RECEIVER:
			memcpy(s->d.dst, rs.mac, 6);
			break;
		case VS_NET_DST_BROADCAST:
			memset(s->d.dst, 0xff, 6);
			break;
		case VS_NET_DST_MULTICAST:
			memcpy(s->d.dst, (const uint8_t[6]){0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, 6);
			break;
		case VS_NET_DST_MAC:
			memcpy(s->d.dst, st->net_mac, 6);
			break;
		}
		s->receiver = (uint16_t)r;
		s->check = 1;
		vs_net_frame_build(&s->d, n->buf, &off, 0);
		rc = vs_guest_net_xmit(md->handle, st->port, n->buf, s->d.size, &off);
		if (rc < 0)
			return rc; /* not recorded: nothing went out */
		n->n_sent++;
		if ((k + 1) % DRAIN_EVERY == 0) {
			vs_machine_settle(m);
			drain_all(n, m);
		}
	}
	return 0;
}

static void expect(struct vs__net_run *n, struct vs_machine *m, size_t d,
		   const struct vs_scn_step *st, char *mismatch, size_t len)
{
	uint64_t missing = 0;

	vs_machine_settle(m);
	drain_all(n, m);
	for (size_t i = 0; i < n->n_sent; i++) {
		if (n->sent[i].receiver != d || n->sent[i].state != IN_FLIGHT)
			continue;
		n->sent[i].state = WRITTEN_OFF;
		missing++;
	}
	if (n->arrived[d] != st->count)
		snprintf(mismatch, len, "%llu frame(s) arrived, expected %u (%llu sent towards it "
			 "did not arrive; %llu other frame(s) seen)",
			 (unsigned long long)n->arrived[d], st->count, (unsigned long long)missing,
			 (unsigned long long)n->other[d]);
	n->arrived[d] = 0;
	n->other[d] = 0;
}

/* After a control command went through: did the device take it? */
static void check_state(struct vs_machine_dev *md, const struct vs_scn_step *st, char *mismatch,
			size_t len)
{
	struct vs_guest_net_info info;
	struct vs_net_state s;

	if (vs_net_get_state(md->vdev, &s) < 0 || vs_guest_net_info(md->handle, &info) < 0)
		return;
	switch (st->op) {
	case VS_STEP_NET_RX_MODE:
		if (s.promisc != st->promisc || s.allmulti != st->allmulti)
			snprintf(mismatch, len, "the device has promisc %d allmulti %d, the driver "
				 "asked for %d %d", s.promisc, s.allmulti, st->promisc, st->allmulti);
		break;
	case VS_STEP_NET_MAC_TABLE:
		if (s.uc_count != st->n_uc || s.mc_count != st->n_mc)
			snprintf(mismatch, len, "the device's MAC table has %u unicast and %u "
				 "multicast entries, the driver set %u and %u", s.uc_count,
				 s.mc_count, st->n_uc, st->n_mc);
		break;
	case VS_STEP_NET_SET_MAC:
		if (memcmp(s.mac, st->net_mac, 6) != 0 || memcmp(info.mac, st->net_mac, 6) != 0)
			snprintf(mismatch, len, "the address did not change on both sides");
		break;
	case VS_STEP_NET_QUEUE_PAIRS:
		if (s.cur_pairs != st->count || info.cur_pairs != st->count)
			snprintf(mismatch, len, "the device uses %u queue pair(s) and the driver %u, "
				 "%u were set", s.cur_pairs, info.cur_pairs, st->count);
		break;
	default:
		break;
	}
}

static int set_link(struct vs_machine *m, struct vs_machine_dev *md, const struct vs_scn_step *st,
		char *mismatch, size_t len)
{
	struct vs_guest_net_info info;
	int rc = vs_net_set_link(md->vdev, st->link_up);

	if (rc < 0 || md->handle < 0)
		return rc;
	vs_machine_settle(m);
	if (vs_guest_net_info(md->handle, &info) == 0 &&
	    vs_vdev_has_feature(md->vdev, VIRTIO_NET_F_STATUS) && info.link_up != st->link_up)
		snprintf(mismatch, len, "the driver sees the link %s after the device took it %s",
			 info.link_up ? "up" : "down", st->link_up ? "up" : "down");
	return 0;
}

static int announce(struct vs_machine *m, struct vs_machine_dev *md, char *mismatch, size_t len)
{
	struct vs_guest_net_info before, after;
	struct vs_net_state s;
	int rc;

	if ((rc = vs_guest_net_info(md->handle, &before)) < 0 ||
	    (rc = vs_net_announce(md->vdev)) < 0)
		return rc;
	vs_machine_settle(m);
	if (vs_guest_net_info(md->handle, &after) == 0 && vs_net_get_state(md->vdev, &s) == 0 &&
	    (after.announces != before.announces + 1 || s.announce_pending))
		snprintf(mismatch, len, "the driver sent %llu announce(s) and the device %s waiting "
			 "for its ack", (unsigned long long)(after.announces - before.announces),
			 s.announce_pending ? "is still" : "is not");
	return 0;
}

int vs__run_net_step(struct vs__net_run *n, struct vs_machine *m, size_t d,
		     const struct vs_scn_step *st, char *mismatch, size_t len)
{
	struct vs_machine_dev *md = &m->devs[d];
	int rc;

	mismatch[0] = '\0';
	n->err[0] = '\0';
	switch (st->op) {
	case VS_STEP_NET_SEND:
		rc = send_frames(n, m, d, st);
		break;
	case VS_STEP_NET_EXPECT:
		expect(n, m, d, st, mismatch, len);
		rc = 0;
		break;
	case VS_STEP_NET_RX_MODE:
		rc = vs_guest_net_set_rx_mode(md->handle, st->promisc, st->allmulti);
		break;
	case VS_STEP_NET_MAC_TABLE:
		rc = vs_guest_net_set_mac_table(md->handle, (const uint8_t(*)[6])st->uc, st->n_uc,
						(const uint8_t(*)[6])st->mc, st->n_mc);
		break;
	case VS_STEP_NET_SET_MAC:
		rc = vs_guest_net_set_mac(md->handle, st->net_mac);
		break;
	case VS_STEP_NET_VLAN:
		rc = vs_guest_net_vlan(md->handle, (uint16_t)st->net_vlan, st->net_add);
		break;
	case VS_STEP_NET_LINK:
		return set_link(m, md, st, mismatch, len);
	case VS_STEP_NET_QUEUE_PAIRS:
		rc = vs_guest_net_set_queue_pairs(md->handle, st->count);
		break;
	case VS_STEP_NET_ANNOUNCE:
		return announce(m, md, mismatch, len);
	default:
		return -EINVAL;
	}
	if (rc == 0 && !mismatch[0] && st->op != VS_STEP_NET_SEND && st->op != VS_STEP_NET_EXPECT) {
		vs_machine_settle(m);
		check_state(md, st, mismatch, len);
	}
	if (!mismatch[0] && n->err[0])
		snprintf(mismatch, len, "%s", n->err);
	return rc;
}
