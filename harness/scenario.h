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

struct vs_scn_device {
	char name[VS_SCN_NAME_MAX];
	char type[VS_SCN_NAME_MAX];
	enum vs_transport_kind transport;
	int msix_vectors;         /* PCI: MSI-X table size, 0 = no MSI-X,
				   * VS_SCN_MSIX_DEFAULT = queues + 1 */
	uint32_t queue_size;      /* 0 = the model's default */
	uint64_t features_add;    /* bits offered on top of the model's */
	uint64_t features_remove; /* bits withheld from the model's */
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
};

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
