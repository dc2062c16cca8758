/*
 * refring.h - the reference ring of the benchmark: a minimal split ring
 * written for speed, the floor a ring round trip can cost on this
 * machine.  No validation, no features, no transport, no arena: the
 * "driver" and the "device" are two halves of this file sharing host
 * memory, the kick and the interrupt are plain calls.  It follows the same
 * protocol as the real path (descriptor free list, avail ring, used ring,
 * interrupt suppression by a flag the driver's callback sets) so the two
 * do the same work per round trip.
 */
#ifndef VS_BENCH_REFRING_H
#define VS_BENCH_REFRING_H

#include <stdint.h>

struct ref_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct ref_ring {
	unsigned num;              /* power of two */
	struct ref_desc *desc;
	uint16_t *avail_ring;
	uint16_t avail_flags, avail_idx;
	struct { uint32_t id, len; } *used_ring;
	uint16_t used_idx;
	/* driver */
	uint16_t free_head, num_free, last_used;
	void **token;
	uint16_t *chain_len;
	uint16_t *chain_last;
	/* device */
	uint16_t last_avail;
	uint64_t interrupts;
};

int ref_ring_init(struct ref_ring *r, unsigned num);
void ref_ring_fini(struct ref_ring *r);
/* Driver: add one chain of nout readable then nin writable buffers. */
int ref_add(struct ref_ring *r, uint8_t *const *bufs, const uint32_t *lens, unsigned nout,
	    unsigned nin, void *token);
/* Device: pop every available chain, touch it, push it, interrupt unless
 * suppressed (the "kick"). */
void ref_device_run(struct ref_ring *r);
/* Driver: the next used token, or NULL. */
void *ref_get(struct ref_ring *r, uint32_t *len);

#endif
