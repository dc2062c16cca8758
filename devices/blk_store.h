/*
 * blk_store.h - the bytes behind a block device (devices/blk.c): guest
 * RAM-independent storage of capacity x 512 bytes, in memory or in a file.
 *
 * Memory: sparse 64 KiB chunks allocated on first write; never-written
 * and zeroed chunks read as zeros.  Every operation completes inside
 * vs_blk_store_submit.
 *
 * File: the file is created (or truncated) and sized at open, so it holds
 * exactly the disk, all zeros.  Operations go through libuv's file I/O on
 * the thread pool, one at a time (the caller submits the next only after
 * the previous completed).  A completion is handed to the caller from
 * deferred loop work, never from inside the libuv callback: the loop sees
 * it as runnable work and runs it in a round of its own, so a run does not
 * depend on when the thread pool finished (core/loop.c holds virtual time
 * while the request is in flight).
 *
 * Call order: vs_blk_store_open_*, any number of vs_blk_store_submit,
 * vs_blk_store_close (waits for an operation still in flight and drops
 * its completion).
 */
#ifndef VS_DEVICES_BLK_STORE_H
#define VS_DEVICES_BLK_STORE_H

#include <stdint.h>

struct vs_loop;
struct vs_blk_store;

enum vs_blk_io_op {
	VS_BLK_IO_NONE = 0, /* nothing to do */
	VS_BLK_IO_READ,     /* len bytes at off into buf */
	VS_BLK_IO_WRITE,    /* len bytes from buf to off */
	VS_BLK_IO_ZERO,     /* every range reads as zeros afterwards */
	VS_BLK_IO_SYNC,     /* what was written is on stable storage */
};

struct vs_blk_range {
	uint64_t off, len; /* bytes */
};

/* One operation.  The caller owns it and its buffers until it completes. */
struct vs_blk_io {
	enum vs_blk_io_op op;
	uint64_t off, len;            /* READ, WRITE */
	uint8_t *buf;                 /* READ, WRITE: len bytes */
	const struct vs_blk_range *ranges; /* ZERO */
	uint32_t nranges;
	int sync;     /* WRITE, ZERO: stable before completion (writethrough) */
	int result;   /* out: 0 or -errno */
	void *opaque; /* the caller's */
};

typedef void (*vs_blk_io_done_fn)(struct vs_blk_io *io);

/* A memory store of bytes bytes (a multiple of 512).  0, -EINVAL, -ENOMEM. */
int vs_blk_store_open_memory(uint64_t bytes, struct vs_blk_store **out);
/* A file store: path created or truncated, then sized to bytes.  0, or
 * the negative errno of open / ftruncate, -ENOMEM. */
int vs_blk_store_open_file(struct vs_loop *loop, const char *path, uint64_t bytes,
			   struct vs_blk_store **out);
/* Waits for an operation in flight (its completion is not called), closes
 * the file, frees everything.  NULL ok. */
void vs_blk_store_close(struct vs_blk_store *s);

int vs_blk_store_is_file(const struct vs_blk_store *s);

/*
 * Start io.  Returns 0 when it completed already (io->result set, done not
 * called), 1 when done(io) will be called from loop work later, -EBUSY
 * when another operation is in flight, -EINVAL for a range outside the
 * store (nothing done).
 */
int vs_blk_store_submit(struct vs_blk_store *s, struct vs_blk_io *io, vs_blk_io_done_fn done);

#endif /* VS_DEVICES_BLK_STORE_H */
