/*
 * refring.c - the benchmark's reference split ring (see refring.h).  The
 * device half "touches the data" exactly as the benchmark's device model
 * does: it reads 8 bytes of the first readable buffer and writes 8 bytes
 * into the first writable one.
 */
#include "bench/refring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REF_F_NEXT 1u
#define REF_F_WRITE 2u

int ref_ring_init(struct ref_ring *r, unsigned num)
{
	memset(r, 0, sizeof(*r));
	r->num = num;
	r->desc = calloc(num, sizeof(*r->desc));
	r->avail_ring = calloc(num, sizeof(*r->avail_ring));
	r->used_ring = calloc(num, sizeof(*r->used_ring));
	r->token = calloc(num, sizeof(*r->token));
	r->chain_len = calloc(num, sizeof(*r->chain_len));
	r->chain_last = calloc(num, sizeof(*r->chain_last));
	if (!r->desc || !r->avail_ring || !r->used_ring || !r->token || !r->chain_len ||
	    !r->chain_last) {
		ref_ring_fini(r);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < num; i++)
		r->desc[i].next = (uint16_t)(i + 1);
	r->num_free = (uint16_t)num;
	return 0;
}

void ref_ring_fini(struct ref_ring *r)
{
	free(r->desc);
	free(r->avail_ring);
	free(r->used_ring);
	free(r->token);
	free(r->chain_len);
	free(r->chain_last);
	memset(r, 0, sizeof(*r));
}

int ref_add(struct ref_ring *r, uint8_t *const *bufs, const uint32_t *lens, unsigned nout,
	    unsigned nin, void *token)
{
	unsigned n = nout + nin, i, head, prev = 0, d;

	if (r->num_free < n)
		return -ENOSPC;
	head = d = r->free_head;
	for (i = 0; i < n; i++) {
		r->desc[d].addr = (uint64_t)(uintptr_t)bufs[i];
		r->desc[d].len = lens[i];
		r->desc[d].flags = (uint16_t)(REF_F_NEXT | (i >= nout ? REF_F_WRITE : 0));
		prev = d;
		d = r->desc[d].next;
	}
	r->desc[prev].flags &= (uint16_t)~REF_F_NEXT;
	r->free_head = (uint16_t)d;
	r->num_free = (uint16_t)(r->num_free - n);
	r->token[head] = token;
	r->chain_len[head] = (uint16_t)n;
	r->chain_last[head] = (uint16_t)prev;
	r->avail_ring[r->avail_idx & (r->num - 1)] = (uint16_t)head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->avail_idx++;
	return 0;
}

void ref_device_run(struct ref_ring *r)
{
	while (r->last_avail != r->avail_idx) {
		unsigned head = r->avail_ring[r->last_avail & (r->num - 1)], d = head;
		uint8_t *rd = NULL, *wr = NULL;
		uint64_t v = 0;

		r->last_avail++;
		for (;;) {
			struct ref_desc *e = &r->desc[d];

			if (e->flags & REF_F_WRITE) {
				if (!wr)
					wr = (uint8_t *)(uintptr_t)e->addr;
			} else if (!rd) {
				rd = (uint8_t *)(uintptr_t)e->addr;
			}
			if (!(e->flags & REF_F_NEXT))
				break;
			d = e->next;
		}
		if (rd)
			memcpy(&v, rd, sizeof(v));
		v++;
		if (wr)
			memcpy(wr, &v, sizeof(v));
		r->used_ring[r->used_idx & (r->num - 1)].id = head;
		r->used_ring[r->used_idx & (r->num - 1)].len = wr ? 8 : 0;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		r->used_idx++;
		if (!(r->avail_flags & 1u)) {
			r->interrupts++;
			/* The driver's callback: no more interrupts until it
			 * re-enables them after collecting. */
			r->avail_flags |= 1u;
		}
	}
}

void *ref_get(struct ref_ring *r, uint32_t *len)
{
	unsigned slot, head;
	void *t;

	if (r->last_used == r->used_idx)
		return NULL;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	slot = r->last_used & (r->num - 1);
	head = r->used_ring[slot].id;
	*len = r->used_ring[slot].len;
	t = r->token[head];
	/* Splice the chain back on the free list. */
	r->desc[r->chain_last[head]].next = r->free_head;
	r->free_head = (uint16_t)head;
	r->num_free = (uint16_t)(r->num_free + r->chain_len[head]);
	r->last_used++;
	return t;
}
