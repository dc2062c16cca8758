/*
 * net.c - the network device (spec 5.1): the model's parameters, its
 * configuration space and features, reset, the queue dispatch and the
 * harness calls of devices/net.h.  The data path is in net_tx.c and
 * net_rx.c, the control queue in net_ctrl.c, frame arithmetic in
 * net_wire.c.
 *
 * Queues: receiveq1, transmitq1, ... receiveqN, transmitqN, controlq
 * (spec 5.1.2).  The device has 2 * max_virtqueue_pairs queues plus the
 * control queue when it offers VIRTIO_NET_F_CTRL_VQ, but which index is
 * the control queue depends on the driver: 2 * max_virtqueue_pairs with
 * VIRTIO_NET_F_MQ negotiated, else 2 (N = 1).
 *
 * Legacy interface (spec 5.1.4.3, 5.1.9.1): config fields, header fields
 * and control data are "native endian of the guest"; virtiosim's guest is
 * little-endian, so one set of accessors serves both interfaces.  A
 * legacy device without MRG_RXBUF uses the 10-byte header, and its
 * driver may write mac in the config space.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/net_internal.h"

#define LOG_SUBSYS "net"

static const uint8_t default_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* ---- params ---- */

static uint32_t pairs_param(const struct vs_device_params *p)
{
	return p->net_queue_pairs ? p->net_queue_pairs : 1;
}

/* MQ is offered with more than one pair, or when the scenario adds it;
 * withholding it wins (then the device has one pair). */
static int mq_offered(const struct vs_device_params *p)
{
	/* MQ needs the control queue (spec 5.1.3.1) */
	if (p->features_remove & (VS_BIT(VIRTIO_NET_F_MQ) | VS_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	return pairs_param(p) > 1 || (p->features_add & VS_BIT(VIRTIO_NET_F_MQ));
}

static uint32_t max_pairs_for(const struct vs_device_params *p)
{
	uint32_t n = pairs_param(p);

	/* an impossible count is refused by init; 1 keeps the queue
	 * allocation before it small */
	if (!mq_offered(p) || n > VIRTIO_NET_MQ_PAIRS_MAX)
		return 1;
	return n;
}

static unsigned net_num_queues(const struct vs_device_params *p)
{
	int ctrl = !(p->features_remove & VS_BIT(VIRTIO_NET_F_CTRL_VQ));

	return 2 * max_pairs_for(p) + (ctrl ? 1 : 0);
}

/* ---- state helpers shared by the other files ---- */

struct vs__net *vs__net_of(const struct vs_vdev *vdev)
{
	if (!vdev || vdev->model != &vs__net_model)
		return NULL;
	return vdev->priv;
}

uint32_t vs__net_hdr_size(const struct vs_vdev *vdev)
{
	/* spec 5.1.9.1: num_buffers is there with VERSION_1 or MRG_RXBUF */
	if (vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1) ||
	    vs_vdev_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF))
		return VS_NET_HDR_SIZE;
	return VS_NET_HDR_SIZE_LEGACY;
}

int vs__net_features_final(const struct vs__net *st)
{
	const struct vs_vdev *vdev = st->vdev;

	/* a legacy driver has no FEATURES_OK: its features hold from
	 * DRIVER_OK on */
	if (vdev->bind_flags & VS_VDEV_BIND_LEGACY)
		return (vdev->status & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)) != 0;
	return (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) != 0;
}

uint64_t vs__net_offloads(const struct vs__net *st)
{
	const struct vs_vdev *vdev = st->vdev;

	if (!vs__net_features_final(st))
		return 0;
	/* spec 5.1.9.5.9.1: negotiating an offload enables it */
	if (st->offloads_set)
		return st->offloads;
	return vdev->driver_features & VS_NET_GUEST_OFFLOADS;
}

uint32_t vs__net_pairs(const struct vs__net *st)
{
	return vs_vdev_has_feature(st->vdev, VIRTIO_NET_F_MQ) ? st->max_pairs : 1;
}

void vs__net_status_update(struct vs__net *st, uint16_t set, uint16_t clear)
{
	struct vs_vdev *vdev = st->vdev;
	uint16_t old = vs_le16(vdev->config + VS_NET_CFG_STATUS);
	uint16_t now = (uint16_t)((old | set) & ~clear);
	uint8_t b[2];

	if (now == old)
		return;
	vs_put_le16(b, now);
	/* bumps the generation, notifies once DRIVER_OK is set */
	vs_vdev_config_change(vdev, VS_NET_CFG_STATUS, b, sizeof(b));
}

/* ---- config ---- */

/* The config space after creation and after a reset. */
static void net_config_defaults(struct vs__net *st)
{
	struct vs_vdev *vdev = st->vdev;
	uint8_t *c = vdev->config;

	memset(c, 0, vdev->config_size);
	memcpy(c + VS_NET_CFG_MAC, st->param_mac, 6);
	vs_put_le16(c + VS_NET_CFG_STATUS, st->link_up ? VIRTIO_NET_S_LINK_UP : 0);
	/* spec dev.net.device-configuration-layout.1: 1..0x8000 */
	vs_put_le16(c + VS_NET_CFG_MAX_PAIRS, (uint16_t)st->max_pairs);
	/* spec dev.net.device-configuration-layout.2 (checked at create) */
	vs_put_le16(c + VS_NET_CFG_MTU, st->mtu);
	/* spec dev.net.device-configuration-layout.10 and .11: unknown
	 * speed and duplex are always valid values (SPEED_DUPLEX is offered
	 * only when a scenario adds it) */
	vs_put_le32(c + VS_NET_CFG_SPEED, 0xffffffffu);
	c[VS_NET_CFG_DUPLEX] = 0xff;
}

static void net_config_write(struct vs_vdev *vdev, uint32_t off, const void *buf, uint32_t len)
{
	struct vs__net *st = vdev->priv;

	/* spec 5.1.4.3: a legacy driver may write mac; everything else
	 * (and everything on a modern device, drv.net.device-configuration-layout.1)
	 * is read-only */
	if (!(vdev->bind_flags & VS_VDEV_BIND_LEGACY) || off >= VS_NET_CFG_MAC + 6 ||
	    len > VS_NET_CFG_MAC + 6 - off) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: config write of %u bytes at %u ignored "
		       "(read-only)", vdev->label, len, off);
		return;
	}
	memcpy(vdev->config + off, buf, len);
	memcpy(st->mac, vdev->config + VS_NET_CFG_MAC, 6);
}

/* ---- features ---- */

/* One "requires" line of spec 5.1.3.1: bit needs one of `any`. */
struct net_req {
	unsigned bit;
	uint64_t any;
};

/* Spec 5.1.3.1, for the bits below 64 that core/virtio_abi.h names. */
static const struct net_req net_reqs[] = {
	{VIRTIO_NET_F_GUEST_TSO4, VS_BIT(VIRTIO_NET_F_GUEST_CSUM)},
	{VIRTIO_NET_F_GUEST_TSO6, VS_BIT(VIRTIO_NET_F_GUEST_CSUM)},
	{VIRTIO_NET_F_GUEST_ECN, VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6)},
	{VIRTIO_NET_F_GUEST_UFO, VS_BIT(VIRTIO_NET_F_GUEST_CSUM)},
	{VIRTIO_NET_F_GUEST_USO4, VS_BIT(VIRTIO_NET_F_GUEST_CSUM)},
	{VIRTIO_NET_F_GUEST_USO6, VS_BIT(VIRTIO_NET_F_GUEST_CSUM)},
	{VIRTIO_NET_F_HOST_TSO4, VS_BIT(VIRTIO_NET_F_CSUM)},
	{VIRTIO_NET_F_HOST_TSO6, VS_BIT(VIRTIO_NET_F_CSUM)},
	{VIRTIO_NET_F_HOST_ECN, VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6)},
	{VIRTIO_NET_F_HOST_UFO, VS_BIT(VIRTIO_NET_F_CSUM)},
	{VIRTIO_NET_F_HOST_USO, VS_BIT(VIRTIO_NET_F_CSUM)},
	{VIRTIO_NET_F_CTRL_RX, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_CTRL_VLAN, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_GUEST_ANNOUNCE, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_MQ, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_CTRL_MAC_ADDR, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_RSC_EXT, VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6)},
	{VIRTIO_NET_F_RSS, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
};

/* What the device also does not offer without the control queue: the
 * SHOULD NOTs of dev.net.device-configuration-layout.13 and .14 (a
 * driver may still accept them alone: drv.net.device-configuration-layout.11
 * and .12 are SHOULD NOTs too). */
static const struct net_req net_offer_reqs[] = {
	{VIRTIO_NET_F_HASH_REPORT, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
	{VIRTIO_NET_F_CTRL_RX_EXTRA, VS_BIT(VIRTIO_NET_F_CTRL_VQ)},
};

#define NET_NREQ(t) (sizeof(t) / sizeof((t)[0]))

/* The first line of t[0..n) that f breaks, or NULL. */
static const struct net_req *net_req_broken(const struct net_req *t, size_t n, uint64_t f)
{
	for (size_t i = 0; i < n; i++)
		if ((f & VS_BIT(t[i].bit)) && !(f & t[i].any))
			return &t[i];
	return NULL;
}

/*
 * spec dev.basic.feature-bits.1: never offer a feature without what it
 * requires.  A scenario that withholds CTRL_VQ (or CSUM, GUEST_CSUM ...)
 * withholds what depends on it too, until nothing is left to drop.
 */
static void net_offer_consistent(struct vs_vdev *vdev)
{
	const struct net_req *r;

	while ((r = net_req_broken(net_reqs, NET_NREQ(net_reqs), vdev->features)) ||
	       (r = net_req_broken(net_offer_reqs, NET_NREQ(net_offer_reqs), vdev->features))) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: feature %u not offered: it needs 0x%llx",
		       vdev->label, r->bit, (unsigned long long)r->any);
		vdev->features &= ~VS_BIT(r->bit);
	}
}

/*
 * spec drv.basic.feature-bits.1 forbids a driver to accept a feature
 * without the ones it requires; such a set is not valid, and
 * dev.basic.feature-bits.2 asks the device to accept valid subsets only,
 * failing FEATURES_OK otherwise.
 */
static int net_validate_features(struct vs_vdev *vdev, uint64_t f)
{
	const struct net_req *r = net_req_broken(net_reqs, NET_NREQ(net_reqs), f);

	if (r) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: FEATURES_OK refused: feature %u accepted "
		       "without what it requires (0x%llx), accepted 0x%016llx", vdev->label,
		       r->bit, (unsigned long long)r->any, (unsigned long long)f);
		return -EINVAL;
	}
	return 0;
}

/* ---- model ops ---- */

static int net_init(struct vs_vdev *vdev)
{
	const struct vs_device_params *p = &vdev->params;
	static const uint8_t zero[6];
	struct vs__net *st;
	uint32_t mtu = p->net_mtu ? p->net_mtu : VS_NET_MTU_DEFAULT;

	if (pairs_param(p) > VIRTIO_NET_MQ_PAIRS_MAX || mtu < VS_NET_MTU_MIN || mtu > 0xffffu) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: queue pairs %u (1..%u) or mtu %u (%u..65535) "
		       "out of range", vdev->label, pairs_param(p), VIRTIO_NET_MQ_PAIRS_MAX, mtu,
		       VS_NET_MTU_MIN);
		return -EINVAL;
	}
	if (p->net_link_down && !(vdev->features & VS_BIT(VIRTIO_NET_F_STATUS))) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: link down needs VIRTIO_NET_F_STATUS offered",
		       vdev->label);
		return -EINVAL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->vdev = vdev;
	st->max_pairs = max_pairs_for(p);
	st->rxq = calloc(st->max_pairs, sizeof(*st->rxq));
	if (!st->rxq) {
		free(st);
		return -ENOMEM;
	}
	memcpy(st->param_mac, memcmp(p->net_mac, zero, 6) ? p->net_mac : default_mac, 6);
	memcpy(st->mac, st->param_mac, 6);
	st->mtu = (uint16_t)mtu;
	st->link_up = !p->net_link_down;
	st->cur_pairs = 1;
	if (mq_offered(p))
		vdev->features |= VS_BIT(VIRTIO_NET_F_MQ);
	net_offer_consistent(vdev);
	vs__net_filter_reset(st);
	vdev->priv = st;
	net_config_defaults(st);
	return 0;
}

static void net_fini(struct vs_vdev *vdev)
{
	struct vs__net *st = vdev->priv;

	if (!st)
		return;
	/* Destroying either device unpairs both; the survivor's frames go
	 * nowhere from now on. */
	if (st->peer) {
		st->peer->peer = NULL;
		st->peer->orphaned = 1;
	}
	vs__net_rx_flush(st, 0);
	vs__net_rx_free_held(st);
	free(st->rxq);
	free(st);
	vdev->priv = NULL;
}

static void net_reset(struct vs_vdev *vdev)
{
	struct vs__net *st = vdev->priv;

	/*
	 * The buffers the device held belong to the old rings; frames that
	 * waited for them are dropped; the control queue's settings start
	 * over: the MAC table (spec
	 * dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.1),
	 * the VLAN table (5.1.9.5.3), the pairs (spec
	 * dev.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.1).
	 * The link is the wire's, not the driver's: kept.
	 */
	vs__net_rx_flush(st, 0);
	vs__net_rx_free_held(st);
	vs__net_filter_reset(st);
	memcpy(st->mac, st->param_mac, 6);
	st->cur_pairs = 1;
	st->offloads = 0;
	st->offloads_set = 0;
	memset(st->flows, 0, sizeof(st->flows));
	net_config_defaults(st);
}

static void net_handle_queue(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct vs__net *st = vdev->priv;
	uint32_t n = vs__net_pairs(st);
	unsigned q = vq->index;

	if (q == 2 * n && vs_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ)) {
		vs__net_handle_ctrl(st, vq);
		return;
	}
	if (q >= 2 * n) {
		/* spec 5.1.2: without MQ only the first pair (and controlq
		 * at 2) exist for the driver */
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: queue %u is not in use (%u pairs%s): ignored",
		       vdev->label, q, n,
		       vs_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ) ? " and controlq" : "");
		return;
	}
	if (q % 2 == 0)
		vs__net_handle_rx(st, vq, q / 2);
	else
		vs__net_handle_tx(st, vq, q / 2);
}

const struct vs_device_model vs__net_model = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.features = VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		    VS_BIT(VIRTIO_NET_F_MTU) | VS_BIT(VIRTIO_NET_F_MAC) |
		    VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6) |
		    VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6) |
		    VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_STATUS) |
		    VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX) |
		    VS_BIT(VIRTIO_NET_F_CTRL_VLAN) | VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |
		    VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR) |
		    VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS),
	.num_queues = 3,
	.num_queues_for = net_num_queues,
	.queue_size_max = VS_NET_QUEUE_SIZE,
	.config_size = VS_NET_CFG_SIZE,
	.init = net_init,
	.fini = net_fini,
	.reset = net_reset,
	.handle_queue = net_handle_queue,
	.validate_features = net_validate_features,
	.config_write = net_config_write,
};

/* ---- the harness's side (net.h) ---- */

int vs_net_connect(struct vs_vdev *a, struct vs_vdev *b)
{
	struct vs__net *sa = vs__net_of(a), *sb = vs__net_of(b);

	if (!sa || !sb)
		return -ENODEV;
	if (sa == sb)
		return -EINVAL;
	if (sa->peer || sb->peer)
		return -EBUSY;
	sa->peer = sb;
	sb->peer = sa;
	sa->orphaned = sb->orphaned = 0;
	return 0;
}

int vs_net_set_link(struct vs_vdev *vdev, int up)
{
	struct vs__net *st = vs__net_of(vdev);

	if (!st)
		return -ENODEV;
	if (!(vdev->features & VS_BIT(VIRTIO_NET_F_STATUS)))
		return -EOPNOTSUPP;
	up = up != 0;
	if (st->link_up == up)
		return 0;
	st->link_up = up;
	/* nothing is received while down: what waited is lost */
	if (!up)
		vs__net_rx_flush(st, 1);
	vs__net_status_update(st, up ? VIRTIO_NET_S_LINK_UP : 0, up ? 0 : VIRTIO_NET_S_LINK_UP);
	return 0;
}

int vs_net_announce(struct vs_vdev *vdev)
{
	struct vs__net *st = vs__net_of(vdev);
	uint8_t b[2];

	if (!st)
		return -ENODEV;
	if (!vs_vdev_has_feature(vdev, VIRTIO_NET_F_GUEST_ANNOUNCE))
		return -EOPNOTSUPP;
	/* a notification even when the bit is already set: the harness
	 * asked for one more announcement */
	vs_put_le16(b, (uint16_t)(vs_le16(vdev->config + VS_NET_CFG_STATUS) | VIRTIO_NET_S_ANNOUNCE));
	return vs_vdev_config_change(vdev, VS_NET_CFG_STATUS, b, sizeof(b));
}

int vs_net_get_stats(const struct vs_vdev *vdev, struct vs_net_stats *out)
{
	const struct vs__net *st = vs__net_of(vdev);

	if (!st)
		return -ENODEV;
	*out = st->stats;
	return 0;
}

int vs_net_get_state(const struct vs_vdev *vdev, struct vs_net_state *out)
{
	const struct vs__net *st = vs__net_of(vdev);
	unsigned vlans = 0;

	if (!st)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	memcpy(out->mac, st->mac, 6);
	out->link_up = st->link_up;
	out->announce_pending =
		(vs_le16(vdev->config + VS_NET_CFG_STATUS) & VIRTIO_NET_S_ANNOUNCE) != 0;
	out->promisc = st->promisc;
	out->allmulti = st->allmulti;
	out->alluni = st->alluni;
	out->nomulti = st->nomulti;
	out->nouni = st->nouni;
	out->nobcast = st->nobcast;
	out->uc_count = st->uc_n;
	out->mc_count = st->mc_n;
	for (size_t i = 0; i < sizeof(st->vlans) / sizeof(st->vlans[0]); i++)
		vlans += (unsigned)__builtin_popcount(st->vlans[i]);
	out->vlan_count = vlans;
	out->max_pairs = st->max_pairs;
	out->cur_pairs = st->cur_pairs;
	out->guest_offloads = vs__net_offloads(st);
	out->paired = st->peer != NULL;
	return 0;
}
