/* linux/idr.h - small-integer id allocators (virtio device and rng indexes). */
#ifndef VS_LINUX_IDR_H
#define VS_LINUX_IDR_H

#include <errno.h>

#include <linux/compiler.h>

#define IDA_MAX_IDS 256

struct ida {
	u64 used[IDA_MAX_IDS / 64]; /* bit n set: id n is taken */
};

#define DEFINE_IDA(name) struct ida name = { { 0 } }

/* The lowest free id, or -ENOSPC. */
static inline int ida_alloc(struct ida *ida, gfp_t gfp)
{
	(void)gfp;
	for (unsigned int i = 0; i < IDA_MAX_IDS; i++) {
		if (!(ida->used[i / 64] & (1ull << (i % 64)))) {
			ida->used[i / 64] |= 1ull << (i % 64);
			return (int)i;
		}
	}
	return -ENOSPC;
}

static inline void ida_free(struct ida *ida, unsigned int id)
{
	if (id < IDA_MAX_IDS)
		ida->used[id / 64] &= ~(1ull << (id % 64));
}

#endif /* VS_LINUX_IDR_H */
