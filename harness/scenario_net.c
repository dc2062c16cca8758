/*
 * scenario_net.c - the network device parts of a scenario file
 * (docs/scenarios.md, "Network device"): a net device's keys in
 * machine.devices, the pairing of two net devices, and the net.* steps,
 * each value checked where it is read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/virtio_abi.h"
#include "harness/scenario.h"
#include "harness/scenario_internal.h"

/* Limits a file may ask for. */
#define NET_MAX_PAIRS 16        /* queue pairs of one device */
#define NET_MAX_COUNT 100000    /* frames one net.send step sends */
#define NET_TEST_HDR 8u         /* magic + sequence number the runner puts in each frame */
#define NET_UDP_HDRS 28u        /* IPv4 + UDP */
#define NET_TCP_HDRS 40u        /* IPv4 + TCP */

const char *const vs__scn_k_net_send[] = {"op", "device", "result", "count", "size",
					  "size_min", "size_max", "queue", "to", "vlan",
					  "kind", "gso_size", "comment", NULL};
const char *const vs__scn_k_net_expect[] = {"op", "device", "result", "received", "check",
					    "comment", NULL};
const char *const vs__scn_k_net_rx_mode[] = {"op", "device", "result", "promisc", "allmulti",
					     "comment", NULL};
const char *const vs__scn_k_net_mac_table[] = {"op", "device", "result", "unicast",
					       "multicast", "comment", NULL};
const char *const vs__scn_k_net_set_mac[] = {"op", "device", "result", "mac", "comment", NULL};
const char *const vs__scn_k_net_vlan[] = {"op", "device", "result", "vid", "remove",
					  "comment", NULL};
const char *const vs__scn_k_net_link[] = {"op", "device", "result", "up", "comment", NULL};
const char *const vs__scn_k_net_queue_pairs[] = {"op", "device", "result", "pairs", "comment",
						 NULL};
const char *const vs__scn_k_net_plain[] = {"op", "device", "result", "comment", NULL};

static const char *const device_keys[] = {"mac", "mtu", "queue_pairs", "link", "peer"};

/* "52:54:00:12:34:56": six two-digit hex bytes.  1 on success. */
static int mac_from_string(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char tail;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &tail) != 6)
		return 0;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return 0;
		mac[i] = (uint8_t)b[i];
	}
	return 1;
}

static int get_mac(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		   int required, uint8_t mac[6])
{
	char str[32], p[PATH_MAX_LEN];
	int rc;

	if ((rc = vs__scn_get_string(c, obj, path, key, required, str, sizeof(str))) <= 0)
		return rc;
	if (!mac_from_string(str, mac)) {
		vs__scn_child_path(p, path, key);
		vs_diag_set(c->diag, p, "expected a MAC address like \"52:54:00:12:34:56\", got \"%s\"",
			    str);
		return -EINVAL;
	}
	return 1;
}

int vs__scn_parse_net_device(struct pctx *c, const cJSON *d, const char *path,
			     struct vs_scn_device *out)
{
	char p[PATH_MAX_LEN], link[32];
	uint64_t v;
	int rc;

	out->peer = -1;
	if (strcmp(out->type, "net") != 0) {
		for (size_t k = 0; k < sizeof(device_keys) / sizeof(device_keys[0]); k++) {
			if (!cJSON_GetObjectItemCaseSensitive(d, device_keys[k]))
				continue;
			vs__scn_child_path(p, path, device_keys[k]);
			vs_diag_set(c->diag, p, "applies to a net device only (this one is \"%s\")",
				    out->type);
			return -EINVAL;
		}
		return 0;
	}
	if ((rc = get_mac(c, d, path, "mac", 0, out->mac)) < 0)
		return rc;
	if (rc && (out->mac[0] & 1)) {
		vs__scn_child_path(p, path, "mac");
		vs_diag_set(c->diag, p, "a device address must be unicast (bit 0 of the first byte "
			    "clear)");
		return -EINVAL;
	}
	if ((rc = vs__scn_get_int(c, d, path, "mtu", 0, VS_NET_MTU_MIN, 65535, &v)) < 0)
		return rc;
	out->mtu = rc ? (uint32_t)v : 0;
	if ((rc = vs__scn_get_int(c, d, path, "queue_pairs", 0, 1, NET_MAX_PAIRS, &v)) < 0)
		return rc;
	out->queue_pairs = rc ? (uint32_t)v : 0;
	if ((rc = vs__scn_get_string(c, d, path, "link", 0, link, sizeof(link))) < 0)
		return rc;
	if (rc && strcmp(link, "up") != 0 && strcmp(link, "down") != 0) {
		vs__scn_child_path(p, path, "link");
		vs_diag_set(c->diag, p, "expected \"up\" or \"down\", got \"%s\"", link);
		return -EINVAL;
	}
	out->link_down = rc && strcmp(link, "down") == 0;
	return 0;
}

int vs__scn_resolve_net_peers(struct pctx *c, const cJSON *devs, struct vs_scenario *s)
{
	char p[PATH_MAX_LEN], name[VS_SCN_NAME_MAX];
	size_t i = 0, j;
	const cJSON *d;
	int rc;

	cJSON_ArrayForEach(d, devs) {
		vs__scn_index_path(p, "machine.devices", i);
		if ((rc = vs__scn_get_string(c, d, p, "peer", 0, name, sizeof(name))) < 0)
			return rc;
		if (rc) {
			char pp[PATH_MAX_LEN];

			vs__scn_child_path(pp, p, "peer");
			for (j = 0; j < s->n_devices; j++)
				if (strcmp(s->devices[j].name, name) == 0)
					break;
			if (j == s->n_devices || j == i || strcmp(s->devices[j].type, "net") != 0) {
				vs_diag_set(c->diag, pp, "\"%s\" is not another net device of this "
					    "machine", name);
				return -EINVAL;
			}
			if ((s->devices[i].peer >= 0 && s->devices[i].peer != (int)j) ||
			    (s->devices[j].peer >= 0 && s->devices[j].peer != (int)i)) {
				vs_diag_set(c->diag, pp, "\"%s\" or this device is already paired "
					    "with another device", name);
				return -EINVAL;
			}
			s->devices[i].peer = (int)j;
			s->devices[j].peer = (int)i;
		}
		i++;
	}
	return 0;
}

static int parse_mac_list(struct pctx *c, const cJSON *st, const char *path, const char *key,
			  uint8_t (*macs)[6], uint32_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key), *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	uint32_t i = 0;

	*n = 0;
	if (!v)
		return 0;
	vs__scn_child_path(p, path, key);
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > VS_SCN_NET_MACS) {
		vs_diag_set(c->diag, p, "expected an array of at most %d MAC addresses, got %s",
			    VS_SCN_NET_MACS,
			    cJSON_IsArray(v) ? "a longer array" : vs__scn_json_type(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		vs__scn_index_path(ep, p, i);
		if (!cJSON_IsString(e) || !mac_from_string(e->valuestring, macs[i])) {
			vs_diag_set(c->diag, ep, "expected a MAC address like \"52:54:00:12:34:56\"");
			return -EINVAL;
		}
		i++;
	}
	*n = i;
	return 0;
}

/* The smallest frame of a kind: headers and the runner's tag. */
static uint32_t min_frame(enum vs_net_frame_kind kind, int vlan)
{
	uint32_t l3 = kind == VS_NET_FRAME_CSUM ? NET_UDP_HDRS
		      : kind == VS_NET_FRAME_TSO4 ? NET_TCP_HDRS : 0;

	return VS_ETH_HLEN + (vlan >= 0 ? VS_ETH_VLAN_HLEN : 0) + l3 + NET_TEST_HDR;
}

static int parse_send(struct pctx *c, const cJSON *st, const char *path, struct vs_scn_step *out)
{
	static const char *const kinds[] = {"raw", "csum", "tso4"};
	char p[PATH_MAX_LEN], str[32];
	uint64_t v;
	int rc, has_size, has_min, has_max;
	uint32_t lo;

	out->count = 1;
	if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, NET_MAX_COUNT, &v)) < 0)
		return rc;
	if (rc)
		out->count = (uint32_t)v;
	if ((rc = vs__scn_get_int(c, st, path, "queue", 0, 0, NET_MAX_PAIRS - 1, &v)) < 0)
		return rc;
	out->port = rc ? (uint32_t)v : 0;
	out->net_vlan = -1;
	if ((rc = vs__scn_get_int(c, st, path, "vlan", 0, 0, VS_NET_VLAN_MAX, &v)) < 0)
		return rc;
	if (rc)
		out->net_vlan = (int)v;
	out->net_kind = VS_NET_FRAME_RAW;
	if ((rc = vs__scn_get_string(c, st, path, "kind", 0, str, sizeof(str))) < 0)
		return rc;
	if (rc) {
		rc = vs__scn_name_index(kinds, 3, str);
		if (rc < 0) {
			vs__scn_child_path(p, path, "kind");
			vs_diag_set(c->diag, p, "unknown frame kind \"%s\" (expected one of: raw, csum, "
				    "tso4)", str);
			return -EINVAL;
		}
		out->net_kind = (enum vs_net_frame_kind)rc;
	}
	out->net_gso_size = 1448;
	if ((rc = vs__scn_get_int(c, st, path, "gso_size", 0, 1, 65535, &v)) < 0)
		return rc;
	if (rc && out->net_kind != VS_NET_FRAME_TSO4) {
		vs__scn_child_path(p, path, "gso_size");
		vs_diag_set(c->diag, p, "applies to kind \"tso4\" only");
		return -EINVAL;
	}
	if (rc)
		out->net_gso_size = (uint32_t)v;
	out->net_dst = VS_NET_DST_RECEIVER;
	if ((rc = vs__scn_get_string(c, st, path, "to", 0, str, sizeof(str))) < 0)
		return rc;
	if (rc) {
		if (strcmp(str, "receiver") == 0)
			out->net_dst = VS_NET_DST_RECEIVER;
		else if (strcmp(str, "broadcast") == 0)
			out->net_dst = VS_NET_DST_BROADCAST;
		else if (strcmp(str, "multicast") == 0)
			out->net_dst = VS_NET_DST_MULTICAST;
		else if (mac_from_string(str, out->net_mac))
			out->net_dst = VS_NET_DST_MAC;
		else {
			vs__scn_child_path(p, path, "to");
			vs_diag_set(c->diag, p, "expected \"receiver\", \"broadcast\", \"multicast\" or "
				    "a MAC address, got \"%s\"", str);
			return -EINVAL;
		}
	}
	lo = min_frame(out->net_kind, out->net_vlan);
	out->net_size_min = out->net_size_max = lo > 64 ? lo : 64;
	if ((has_size = vs__scn_get_int(c, st, path, "size", 0, 1, VS_NET_MAX_GSO_FRAME, &v)) < 0)
		return has_size;
	if (has_size)
		out->net_size_min = out->net_size_max = (uint32_t)v;
	if ((has_min = vs__scn_get_int(c, st, path, "size_min", 0, 1, VS_NET_MAX_GSO_FRAME,
				       &v)) < 0)
		return has_min;
	if (has_min)
		out->net_size_min = (uint32_t)v;
	if ((has_max = vs__scn_get_int(c, st, path, "size_max", 0, 1, VS_NET_MAX_GSO_FRAME,
				       &v)) < 0)
		return has_max;
	if (has_max)
		out->net_size_max = (uint32_t)v;
	if (has_size && (has_min || has_max)) {
		vs__scn_child_path(p, path, "size");
		vs_diag_set(c->diag, p, "give either size or size_min and size_max, not both");
		return -EINVAL;
	}
	if (has_min != has_max) {
		vs__scn_child_path(p, path, has_min ? "size_max" : "size_min");
		vs_diag_set(c->diag, p, "missing: size_min and size_max go together");
		return -EINVAL;
	}
	if (out->net_size_min > out->net_size_max) {
		vs__scn_child_path(p, path, "size_min");
		vs_diag_set(c->diag, p, "size_min %u is above size_max %u", out->net_size_min,
			    out->net_size_max);
		return -EINVAL;
	}
	if (out->net_size_min < lo) {
		vs__scn_child_path(p, path, has_size ? "size" : "size_min");
		vs_diag_set(c->diag, p, "a %s frame%s needs at least %u bytes (headers and the "
			    "runner's 8-byte tag)", kinds[out->net_kind],
			    out->net_vlan >= 0 ? " with a VLAN tag" : "", lo);
		return -EINVAL;
	}
	return 0;
}

int vs__scn_parse_net_step(struct pctx *c, const cJSON *st, const char *path,
			   struct vs_scn_step *out)
{
	char p[PATH_MAX_LEN];
	uint64_t v;
	int rc;

	switch (out->op) {
	case VS_STEP_NET_SEND:
		return parse_send(c, st, path, out);
	case VS_STEP_NET_EXPECT:
		if ((rc = vs__scn_get_int(c, st, path, "received", 1, 0, NET_MAX_COUNT * 16.0,
					  &v)) < 0)
			return rc;
		out->count = (uint32_t)v;
		out->check = 1;
		return vs__scn_get_bool(c, st, path, "check", &out->check) < 0 ? -EINVAL : 0;
	case VS_STEP_NET_RX_MODE:
		out->promisc = out->allmulti = 0;
		if (vs__scn_get_bool(c, st, path, "promisc", &out->promisc) < 0 ||
		    vs__scn_get_bool(c, st, path, "allmulti", &out->allmulti) < 0)
			return -EINVAL;
		return 0;
	case VS_STEP_NET_MAC_TABLE:
		if ((rc = parse_mac_list(c, st, path, "unicast", out->uc, &out->n_uc)) < 0)
			return rc;
		return parse_mac_list(c, st, path, "multicast", out->mc, &out->n_mc);
	case VS_STEP_NET_SET_MAC:
		if ((rc = get_mac(c, st, path, "mac", 1, out->net_mac)) < 0)
			return rc;
		if (out->net_mac[0] & 1) {
			vs__scn_child_path(p, path, "mac");
			vs_diag_set(c->diag, p, "a device address must be unicast");
			return -EINVAL;
		}
		return 0;
	case VS_STEP_NET_VLAN: {
		int remove = 0;

		if ((rc = vs__scn_get_int(c, st, path, "vid", 1, 0, VS_NET_VLAN_MAX, &v)) < 0)
			return rc;
		out->net_vlan = (int)v;
		if (vs__scn_get_bool(c, st, path, "remove", &remove) < 0)
			return -EINVAL;
		out->net_add = !remove;
		return 0;
	}
	case VS_STEP_NET_LINK:
		if ((rc = vs__scn_get_bool(c, st, path, "up", &out->link_up)) < 0)
			return rc;
		if (rc == 0) {
			vs__scn_child_path(p, path, "up");
			vs_diag_set(c->diag, p, "missing required key (expected true or false)");
			return -EINVAL;
		}
		return 0;
	case VS_STEP_NET_QUEUE_PAIRS:
		if ((rc = vs__scn_get_int(c, st, path, "pairs", 1, 1, VIRTIO_NET_MQ_PAIRS_MAX,
					  &v)) < 0)
			return rc;
		out->count = (uint32_t)v;
		return 0;
	default:
		return 0;
	}
}
