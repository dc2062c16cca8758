/*
 * fault.h - fault points: named places where one side can be told to
 * misbehave on purpose (a faulty device against the real driver, a faulty
 * driver against the real device).
 *
 * The ids live here because both sides consult them and they meet only in
 * core/.  What each fault means, which rule should catch it and its scenario
 * name live in the harness catalogue (harness/faults.c).  A switch is off,
 * on for every hit, on for the next N hits, or on with a seeded probability.
 * Checking a switch that is off costs one load and a branch.
 */
#ifndef VS_FAULT_H
#define VS_FAULT_H

#include <stdint.h>

#include "core/prng.h"

enum vs_fault_id {
	/* device side */
	VS_FAULT_DEV_USED_ID_RANGE = 0,  /* used id >= queue size */
	VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING, /* used id of a chain not made available */
	VS_FAULT_DEV_USED_LEN_OVER,      /* used len beyond the chain's writable bytes */
	VS_FAULT_DEV_WRITE_READABLE,     /* write into a device-readable buffer */
	VS_FAULT_DEV_NO_INTERRUPT,       /* push used but never interrupt */
	VS_FAULT_DEV_SPURIOUS_INTERRUPT, /* interrupt with nothing new in the used ring */
	VS_FAULT_DEV_FEATURES_OK_REFUSE, /* clear FEATURES_OK although features are fine */
	VS_FAULT_DEV_CONFIG_NO_GENERATION, /* change config without bumping generation */
	VS_FAULT_DEV_RESET_INCOMPLETE,   /* status does not read back 0 after reset */
	/* driver side */
	VS_FAULT_DRV_DRIVER_OK_EARLY,    /* DRIVER_OK before FEATURES_OK */
	VS_FAULT_DRV_KICK_EARLY,         /* kick a queue before DRIVER_OK */
	VS_FAULT_DRV_UNOFFERED_FEATURE,  /* accept a feature the device did not offer */
	VS_FAULT_DRV_DESC_LOOP,          /* a descriptor chain that loops */
	VS_FAULT_DRV_DESC_OUT_OF_RANGE,  /* buffer address outside guest RAM */
	VS_FAULT_DRV_WRITE_BEFORE_READ,  /* writable descriptor before a readable one */
	VS_FAULT_DRV_AVAIL_IDX_JUMP,     /* avail idx moved by more than the queue size */
	VS_FAULT_DRV_CLEAR_STATUS_BIT,   /* clear a status bit without a reset */
	/* added with packed rings and indirect tables (issue 5) */
	VS_FAULT_DEV_PACKED_USED_WRAP,   /* used descriptor written with the inverted wrap counter */
	VS_FAULT_DEV_PACKED_USED_FLAGS,  /* used descriptor with AVAIL != USED (looks available) */
	VS_FAULT_DRV_INDIRECT_NEXT,      /* descriptor with both INDIRECT and NEXT */
	VS_FAULT_DRV_INDIRECT_NESTED,    /* INDIRECT inside an indirect table */
	VS_FAULT_DRV_INDIRECT_LEN,       /* indirect table length not a multiple of 16 */
	/* added with the block device (issue 7) */
	VS_FAULT_DEV_BLK_IOERR,          /* blk: answer a read or write with VIRTIO_BLK_S_IOERR */
	VS_FAULT_DEV_BLK_USED_LEN_SHORT, /* blk: used len stops short of the status byte */
	VS_FAULT_DEV_BLK_NO_STATUS,      /* blk: complete a request without writing its status */
	VS_FAULT_DEV_BLK_BAD_STATUS,     /* blk: write a status value the spec does not define */
	VS_FAULT_DRV_BLK_BEYOND_CAPACITY, /* blk driver: skip its capacity check */
	/* added with the console device (issue 7) */
	VS_FAULT_DEV_CONSOLE_BAD_PORT,   /* console: DEVICE_ADD / DEVICE_REMOVE names a port
					  * beyond max_nr_ports (one that cannot exist) */
	/* added with the network device (issue 7) */
	VS_FAULT_DEV_NET_NUM_BUFFERS_OVER, /* net rx: num_buffers larger than the buffers used */
	VS_FAULT_DEV_NET_USED_LEN_SHORT, /* net rx: used len shorter than the virtio-net header */
	VS_FAULT_DEV_NET_CTRL_BAD_ACK,   /* net ctrl: ack byte neither VIRTIO_NET_OK nor ERR */
	VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED, /* net rx: gso_type TCPV4 without GUEST_TSO4 */
	VS_FAULT_DRV_NET_TX_GSO_UNNEGOTIATED, /* net tx: gso_type TCPV4 without HOST_TSO4 */
	VS_FAULT_DRV_NET_CTRL_UNNEGOTIATED, /* net ctrl: MQ_VQ_PAIRS_SET without VIRTIO_NET_F_MQ */
	VS_FAULT_DRV_NET_TX_OVER_MTU,    /* net tx: a frame beyond mtu + 14 with gso NONE */
	/* added to complete the issue 6 minimum list */
	VS_FAULT_DEV_INTERRUPT_STORM,    /* a burst of used-buffer interrupts with nothing new */
	VS_FAULT_DEV_NEEDS_RESET,        /* set DEVICE_NEEDS_RESET with a request outstanding */
	VS_FAULT_DEV_USED_IDX_JUMP,      /* split: used idx moved by more than the queue size */
	VS_FAULT_DRV_CHAIN_TOO_LONG,     /* an indirect table with more entries than the queue size */
	VS_FAULT_DRV_QUEUE_SIZE_NOT_POW2, /* split: QueueSize written with a size not a power of 2 */
	VS_FAULT_DRV_NOTIFY_NOT_READY,   /* notify a queue that is not enabled */
	VS_FAULT_COUNT
};

enum vs_fault_mode {
	VS_FAULT_OFF = 0,
	VS_FAULT_ALWAYS,      /* every hit */
	VS_FAULT_COUNTED,     /* the next `remaining` hits, then off */
	VS_FAULT_PROBABILITY, /* each hit with probability num/den */
};

struct vs_fault_switch {
	enum vs_fault_mode mode;
	uint32_t remaining; /* COUNTED */
	uint32_t num, den;  /* PROBABILITY */
	uint64_t fired;     /* how often this switch made its side misbehave */
};

struct vs_faults {
	struct vs_fault_switch sw[VS_FAULT_COUNT];
	struct vs_prng prng; /* its own stream: faults never shift device bytes */
	uint32_t any_on;     /* fast path: 0 when every switch is off */
};

void vs_faults_init(struct vs_faults *f, uint64_t seed);
void vs_faults_set(struct vs_faults *f, enum vs_fault_id id, enum vs_fault_mode mode,
		   uint32_t count, uint32_t num, uint32_t den);
void vs_faults_clear(struct vs_faults *f, enum vs_fault_id id);

/* Should the side misbehave now?  Counts the hit when it says yes.  f may
 * be NULL (no faults configured). */
int vs__fault_hit_slow(struct vs_faults *f, enum vs_fault_id id);
static inline int vs_fault_hit(struct vs_faults *f, enum vs_fault_id id)
{
	if (!f || !f->any_on || f->sw[id].mode == VS_FAULT_OFF)
		return 0;
	return vs__fault_hit_slow(f, id);
}

#endif /* VS_FAULT_H */
