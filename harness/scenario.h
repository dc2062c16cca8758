/*
 * scenario.h - a scenario file, parsed and validated.
 *
 * A scenario names a machine (seed, memory, devices each with a transport)
 * and a list of steps.  Parsing is strict: an unknown key, op, device type
 * or transport, a value of the wrong type or out of range, or a missing
 * field is refused with a diagnostic naming the file, the JSON path and
 * what was expected.  The format is documented key by key in
 * docs/scenarios.md; keep the two in step.
 */
#ifndef VS_SCENARIO_H
#define VS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/fault.h"
#include "harness/diag.h"

#define VS_SCN_MAX_DEVICES 16
#define VS_SCN_MAX_STEPS 4096
#define VS_SCN_MAX_EXPECT 32
#define VS_SCN_NAME_MAX 64
#define VS_SCN_CONFIG_MAX 64 /* bytes one config.change step writes */

enum vs_transport_kind {
	VS_TRANSPORT_MMIO = 0,    /* "mmio": virtio-mmio version 2 */
	VS_TRANSPORT_MMIO_LEGACY, /* "mmio-legacy": virtio-mmio version 1 (spec 4.2.4) */
	VS_TRANSPORT_PCI,         /* "pci": a modern virtio PCI function */
	VS_TRANSPORT_PCI_LEGACY,  /* "pci-legacy": a transitional function driven
				   * through its legacy interface */
};

static inline int vs_transport_is_pci(enum vs_transport_kind t)
{
	return t == VS_TRANSPORT_PCI || t == VS_TRANSPORT_PCI_LEGACY;
}

static inline int vs_transport_is_legacy(enum vs_transport_kind t)
{
	return t == VS_TRANSPORT_MMIO_LEGACY || t == VS_TRANSPORT_PCI_LEGACY;
}

enum vs_ring_kind {
	VS_RING_SPLIT = 0, /* "split" */
	VS_RING_PACKED,    /* "packed": every device offers VIRTIO_F_RING_PACKED */
};

/* msix_vectors not given: one vector per queue plus one for config. */
#define VS_SCN_MSIX_DEFAULT (-1)

/* console: most ports a device has (devices/console.h VS_CONSOLE_MAX_PORTS) */
#define VS_SCN_CON_PORTS 32
/* console: longest socket path plus its terminator (struct sockaddr_un) */
#define VS_SCN_CON_PATH_MAX 108

/* A console port's backend, from machine.devices[i].backends[]. */
enum vs_scn_con_backend_kind {
	VS_SCN_CON_BUFFER = 0, /* not listed: output captured, input injected */
	VS_SCN_CON_TCP,        /* "tcp": a listener on 127.0.0.1 */
	VS_SCN_CON_PIPE,       /* "pipe": a listener on a Unix domain socket */
};

struct vs_scn_con_backend {
	enum vs_scn_con_backend_kind kind;
	int index;                       /* its place in "backends", for diagnostics */
	uint16_t tcp_port;               /* tcp: 0 = any free port */
	char pipe[VS_SCN_CON_PATH_MAX];  /* pipe: the path, "{pid}" already replaced */
};

struct vs_scn_device {
	char name[VS_SCN_NAME_MAX];
	char type[VS_SCN_NAME_MAX];
	enum vs_transport_kind transport;
	int msix_vectors;         /* PCI: MSI-X table size, 0 = no MSI-X,
				   * VS_SCN_MSIX_DEFAULT = queues + 1 */
	uint32_t queue_size;      /* 0 = the model's default */
	uint64_t features_add;    /* bits offered on top of the model's */
	uint64_t features_remove; /* bits withheld from the model's */
	/* console: max_nr_ports (0 = 1; more offers MULTIPORT), size (0 = 80 x 25),
	 * each port's backend, indexed by port number */
	uint32_t ports;
	uint16_t cols, rows;
	struct vs_scn_con_backend con_backend[VS_SCN_CON_PORTS];
	/* blk (harness/scenario_blk.c): 0 / "" = the model's default */
	uint64_t capacity_sectors;
	int read_only;
	uint32_t queues;
	uint32_t seg_max;
	char serial[21];
	char backend_file[256];   /* "" = memory; "{pid}" already replaced */
	int backend_remove;       /* the name had {pid}: removed after the run */
	uint64_t ioerr_first, ioerr_count;
	uint64_t endurance_sectors, worn_sectors; /* the lifetime wear model */
	/* net (harness/scenario_net.c): mac given or all zeroes (the
	 * machine then picks 52:54:00:12:34:<56 + index>), mtu and
	 * queue_pairs 0 = the model's default, link_down, and the index of
	 * the device this one is paired with (-1: loopback) */
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t queue_pairs;
	int link_down;
	int peer;
};

enum vs_step_op {
	VS_STEP_PROBE,
	VS_STEP_REMOVE,
	VS_STEP_RESET,
	VS_STEP_RNG_READ,
	VS_STEP_FAULT,
	VS_STEP_EXPECT,
	VS_STEP_RUN,
	VS_STEP_CONFIG_CHANGE,
	/* console (harness/scenario_console.c, harness/runner_console.c) */
	VS_STEP_CONSOLE_OPEN,
	VS_STEP_CONSOLE_CLOSE,
	VS_STEP_CONSOLE_WRITE,
	VS_STEP_CONSOLE_INPUT,
	VS_STEP_CONSOLE_READ,
	VS_STEP_CONSOLE_HOT_ADD,
	VS_STEP_CONSOLE_REMOVE_PORT,
	VS_STEP_CONSOLE_RESIZE,
	VS_STEP_CONSOLE_EMERG_WRITE,
	/* blk (harness/scenario_blk.c, harness/runner_blk.c) */
	VS_STEP_BLK_WRITE,
	VS_STEP_BLK_READ,
	VS_STEP_BLK_FLUSH,
	VS_STEP_BLK_DISCARD,
	VS_STEP_BLK_WRITE_ZEROES,
	VS_STEP_BLK_GET_ID,
	VS_STEP_BLK_SECURE_ERASE,
	VS_STEP_BLK_GET_LIFETIME,
	/* net (harness/scenario_net.c, harness/runner_net.c) */
	VS_STEP_NET_SEND,
	VS_STEP_NET_EXPECT,
	VS_STEP_NET_RX_MODE,
	VS_STEP_NET_MAC_TABLE,
	VS_STEP_NET_SET_MAC,
	VS_STEP_NET_VLAN,
	VS_STEP_NET_LINK,
	VS_STEP_NET_QUEUE_PAIRS,
	VS_STEP_NET_ANNOUNCE,
};

/* What a net.send frame carries (docs/scenarios.md, "Network device"). */
enum vs_net_frame_kind {
	VS_NET_FRAME_RAW = 0, /* Ethernet + payload, fully formed */
	VS_NET_FRAME_CSUM,    /* IPv4/UDP with the checksum left to the device */
	VS_NET_FRAME_TSO4,    /* IPv4/TCP handed over as one GSO frame */
};

/* net.send's destination. */
enum vs_net_dst {
	VS_NET_DST_RECEIVER = 0, /* the wire's other end (self in loopback) */
	VS_NET_DST_BROADCAST,
	VS_NET_DST_MULTICAST,    /* 01:00:5e:00:00:01 */
	VS_NET_DST_MAC,          /* net_mac */
};

#define VS_SCN_NET_MACS 16 /* entries per net.mac-table list */

enum vs_step_result {
	VS_RESULT_OK = 0, /* the operation must succeed */
	VS_RESULT_ERROR,  /* it must fail cleanly (an errno, not a crash) */
	VS_RESULT_ANY,    /* either */
};

struct vs_scn_step {
	enum vs_step_op op;
	int device;                  /* index into machine devices, -1 = all */
	enum vs_step_result result;
	/* rng.read */
	uint32_t bytes;
	uint32_t count;
	int wait;
	/* fault */
	enum vs_fault_id fault;
	enum vs_fault_mode fault_mode;
	uint32_t fault_count;
	uint32_t prob_num, prob_den;
	/* expect */
	size_t n_expect;
	char expect[VS_SCN_MAX_EXPECT][VS_SCN_NAME_MAX]; /* rule ids */
	char interrupt[16];          /* expect: the interrupt mode, "" = not checked */
	/* run */
	uint64_t run_ns;
	/* config.change */
	uint32_t cfg_offset;
	uint32_t cfg_len;
	uint8_t cfg_bytes[VS_SCN_CONFIG_MAX];
	/* console.*: the port; data written, injected or expected ("text" or
	 * "bytes", heap, freed by vs_scenario_free); console.write's "expect"
	 * (expect_given: compare the output with it, else with data x count;
	 * check 0: no comparison); console.hot-add's name and console flag;
	 * console.resize's size */
	uint32_t port;
	uint8_t *data;
	uint32_t data_len;
	uint8_t *expect_out;
	uint32_t expect_len;
	int expect_given;
	int check;
	char port_name[VS_SCN_NAME_MAX];
	int console_port;
	uint16_t cols, rows;
	/* blk.*: the first sector and how many ("count"); blk.write's data,
	 * one byte (fill >= 0) or a pattern seeded with pattern; blk.read's
	 * comparison with what was written (blk_check); blk.get-id's expected
	 * id (blk_id_given); blk.get-lifetime's expected pre_eol_info,
	 * life_a and life_b (-1: not given) */
	uint64_t sector;
	uint32_t nsectors;
	uint64_t pattern;
	int fill;
	int blk_check;
	char blk_id[21];
	int blk_id_given;
	int blk_lifetime[3];
	/* net.*: send's frames (count: "count", sizes net_size_min..max, on
	 * transmit queue "queue" (port), kind, destination, VLAN tag
	 * net_vlan (-1 none), gso_size); expect's count ("received" in
	 * count) and check; rx-mode's promisc / allmulti; mac-table's lists;
	 * set-mac's address; vlan's vid and add; link's up; queue-pairs'
	 * pairs (count) */
	uint32_t net_size_min, net_size_max;
	enum vs_net_frame_kind net_kind;
	enum vs_net_dst net_dst;
	uint8_t net_mac[6];
	int net_vlan;
	uint32_t net_gso_size;
	int promisc, allmulti;
	uint32_t n_uc, n_mc;
	uint8_t uc[VS_SCN_NET_MACS][6], mc[VS_SCN_NET_MACS][6];
	int net_add;
	int link_up;
};

struct vs_scenario {
	char file[256];
	char name[VS_SCN_NAME_MAX];
	char description[256];
	uint64_t seed;
	int seed_given;          /* the file set machine.seed */
	uint64_t memory;         /* bytes of guest RAM */
	enum vs_ring_kind ring;  /* ring layout offered to every device */
	size_t n_devices;
	struct vs_scn_device devices[VS_SCN_MAX_DEVICES];
	size_t n_steps;
	struct vs_scn_step *steps;
};

/* Parse the JSON text of one scenario.  file names it in diagnostics.
 * Returns 0, or -EINVAL with diag filled (file, JSON path, expectation). */
int vs_scenario_parse(const char *file, const char *text, size_t len, struct vs_scenario *out,
		      struct vs_diag *diag);
/* Read and parse a file: -EIO (diag names the errno) when unreadable. */
int vs_scenario_load(const char *path, struct vs_scenario *out, struct vs_diag *diag);
void vs_scenario_free(struct vs_scenario *s);

const char *vs_transport_name(enum vs_transport_kind t);
const char *vs_ring_name(enum vs_ring_kind r);
const char *vs_step_op_name(enum vs_step_op op);

#endif /* VS_SCENARIO_H */
