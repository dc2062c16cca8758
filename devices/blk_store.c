/*
 * blk_store.c - the bytes behind a block device: sparse memory chunks, or
 * a file driven through libuv's file I/O (see blk_store.h).
 *
 * Memory operations run once per request and touch the chunks the range
 * covers.  A file operation is a small state machine on one uv_fs_t:
 * pieces of data (reads and writes may come back short), the zero ranges
 * one buffer-full at a time, then an fdatasync when the write must be
 * stable; each libuv callback issues the next piece, the last one defers
 * the completion to the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/log.h"
#include "core/loop.h"
#include "devices/blk_store.h"

#define LOG_SUBSYS "blk"

#define CHUNK_SHIFT 16u
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define ZEROS_SIZE (64u * 1024u) /* one write of zeros */
#define PIECE_MAX (1u << 30)     /* a uv_buf_t length is an unsigned int */

enum file_phase { PH_DATA = 0, PH_SYNC };

struct vs_blk_store {
	uint64_t bytes;
	int is_file;
	/* memory: chunk i covers bytes [i << CHUNK_SHIFT, +CHUNK_SIZE) */
	uint8_t **chunk;
	uint64_t nchunk;
	/* file */
	struct vs_loop *loop;
	uv_loop_t *uv;
	uv_file fd;
	uv_fs_t req;
	int busy;            /* req is in flight in libuv */
	int closing;         /* close waits: issue nothing more */
	enum file_phase phase;
	struct vs_blk_io *io; /* the operation under way, NULL when idle */
	vs_blk_io_done_fn done;
	uint64_t pos;        /* bytes of the current data or range done */
	uint32_t range;      /* ZERO: the range under way */
	uint8_t *zeros;
	struct vs_work work; /* hands the completion over on the loop */
};

int vs_blk_store_is_file(const struct vs_blk_store *s)
{
	return s->is_file;
}

/* ---- memory ---- */

int vs_blk_store_open_memory(uint64_t bytes, struct vs_blk_store **out)
{
	struct vs_blk_store *s;

	if (bytes == 0 || bytes % 512)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bytes = bytes;
	s->nchunk = (bytes + CHUNK_SIZE - 1) >> CHUNK_SHIFT;
	s->chunk = calloc(s->nchunk, sizeof(*s->chunk));
	if (!s->chunk) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static void mem_read(struct vs_blk_store *s, uint64_t off, uint8_t *buf, uint64_t len)
{
	while (len) {
		uint64_t c = off >> CHUNK_SHIFT, o = off & (CHUNK_SIZE - 1);
		uint64_t n = CHUNK_SIZE - o < len ? CHUNK_SIZE - o : len;

		if (s->chunk[c])
			memcpy(buf, s->chunk[c] + o, n);
		else
			memset(buf, 0, n);
		buf += n;
		off += n;
		len -= n;
	}
}

static int mem_write(struct vs_blk_store *s, uint64_t off, const uint8_t *buf, uint64_t len)
{
	while (len) {
		uint64_t c = off >> CHUNK_SHIFT, o = off & (CHUNK_SIZE - 1);
		uint64_t n = CHUNK_SIZE - o < len ? CHUNK_SIZE - o : len;

		if (!s->chunk[c]) {
			s->chunk[c] = calloc(1, CHUNK_SIZE);
			if (!s->chunk[c])
				return -ENOMEM;
		}
		memcpy(s->chunk[c] + o, buf, n);
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Zero a range: whole chunks are given back (they read as zeros). */
static void mem_zero(struct vs_blk_store *s, uint64_t off, uint64_t len)
{
	while (len) {
		uint64_t c = off >> CHUNK_SHIFT, o = off & (CHUNK_SIZE - 1);
		uint64_t n = CHUNK_SIZE - o < len ? CHUNK_SIZE - o : len;

		if (s->chunk[c] && n == CHUNK_SIZE) {
			free(s->chunk[c]);
			s->chunk[c] = NULL;
		} else if (s->chunk[c]) {
			memset(s->chunk[c] + o, 0, n);
		}
		off += n;
		len -= n;
	}
}

static int mem_submit(struct vs_blk_store *s, struct vs_blk_io *io)
{
	uint32_t i;

	switch (io->op) {
	case VS_BLK_IO_READ:
		mem_read(s, io->off, io->buf, io->len);
		return 0;
	case VS_BLK_IO_WRITE:
		return mem_write(s, io->off, io->buf, io->len);
	case VS_BLK_IO_ZERO:
		for (i = 0; i < io->nranges; i++)
			mem_zero(s, io->ranges[i].off, io->ranges[i].len);
		return 0;
	case VS_BLK_IO_NONE:
	case VS_BLK_IO_SYNC:
		return 0; /* memory has no cache to write back */
	}
	return -EINVAL;
}

/* ---- file ---- */

static void file_deliver(void *opaque)
{
	struct vs_blk_store *s = opaque;
	struct vs_blk_io *io = s->io;
	vs_blk_io_done_fn done = s->done;

	s->io = NULL;
	s->done = NULL;
	if (io && done)
		done(io); /* may submit the next operation */
}

static void file_finish(struct vs_blk_store *s, int result)
{
	s->io->result = result;
	if (result < 0)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "file I/O failed: %s", uv_strerror(result));
	vs_loop_defer(s->loop, &s->work);
}

static void file_cb(uv_fs_t *req);

/* Issue the next libuv call of the operation, or finish it. */
static void file_step(struct vs_blk_store *s)
{
	struct vs_blk_io *io = s->io;
	uv_buf_t b;
	int rc = 0;

	if (s->phase == PH_SYNC) {
		file_finish(s, 0);
		return;
	}
	if (io->op == VS_BLK_IO_READ || io->op == VS_BLK_IO_WRITE) {
		if (s->pos < io->len) {
			uint64_t n = io->len - s->pos < PIECE_MAX ? io->len - s->pos : PIECE_MAX;

			b = uv_buf_init((char *)io->buf + s->pos, (unsigned int)n);
			if (io->op == VS_BLK_IO_READ)
				rc = uv_fs_read(s->uv, &s->req, s->fd, &b, 1,
						(int64_t)(io->off + s->pos), file_cb);
			else
				rc = uv_fs_write(s->uv, &s->req, s->fd, &b, 1,
						 (int64_t)(io->off + s->pos), file_cb);
			goto issued;
		}
	} else if (io->op == VS_BLK_IO_ZERO) {
		while (s->range < io->nranges && s->pos >= io->ranges[s->range].len) {
			s->range++;
			s->pos = 0;
		}
		if (s->range < io->nranges) {
			const struct vs_blk_range *r = &io->ranges[s->range];
			uint64_t n = r->len - s->pos < ZEROS_SIZE ? r->len - s->pos : ZEROS_SIZE;

			b = uv_buf_init((char *)s->zeros, (unsigned int)n);
			rc = uv_fs_write(s->uv, &s->req, s->fd, &b, 1, (int64_t)(r->off + s->pos),
					 file_cb);
			goto issued;
		}
	}
	/* The data is done: make it stable when asked (a flush always is). */
	if (io->op == VS_BLK_IO_SYNC || (io->sync && io->op != VS_BLK_IO_READ)) {
		s->phase = PH_SYNC;
		rc = uv_fs_fdatasync(s->uv, &s->req, s->fd, file_cb);
		goto issued;
	}
	file_finish(s, 0);
	return;

issued:
	if (rc < 0) {
		uv_fs_req_cleanup(&s->req);
		file_finish(s, rc);
		return;
	}
	s->busy = 1;
}

static void file_cb(uv_fs_t *req)
{
	struct vs_blk_store *s = req->data;
	ssize_t r = req->result;
	struct vs_blk_io *io = s->io;

	uv_fs_req_cleanup(req);
	s->busy = 0;
	if (s->closing)
		return;
	if (r < 0) {
		file_finish(s, (int)r);
		return;
	}
	if (s->phase == PH_DATA) {
		if (io->op == VS_BLK_IO_READ && r == 0) {
			/* Past the end of a file someone shortened: zeros. */
			memset(io->buf + s->pos, 0, io->len - s->pos);
			s->pos = io->len;
		} else {
			s->pos += (uint64_t)r;
		}
	}
	file_step(s);
}

int vs_blk_store_open_file(struct vs_loop *loop, const char *path, uint64_t bytes,
			   struct vs_blk_store **out)
{
	struct vs_blk_store *s;
	uv_fs_t req;
	int rc;

	if (!loop || !path || bytes == 0 || bytes % 512 || bytes > INT64_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->zeros = calloc(1, ZEROS_SIZE);
	if (!s->zeros) {
		free(s);
		return -ENOMEM;
	}
	s->is_file = 1;
	s->bytes = bytes;
	s->loop = loop;
	s->uv = vs_loop_uv(loop);
	vs_work_init(&s->work, file_deliver, s);
	/* Synchronous: the machine is being built, nothing runs yet. */
	rc = uv_fs_open(s->uv, &req, path, O_RDWR | O_CREAT | O_TRUNC, 0644, NULL);
	uv_fs_req_cleanup(&req);
	if (rc < 0)
		goto out_free;
	s->fd = rc;
	rc = uv_fs_ftruncate(s->uv, &req, s->fd, (int64_t)bytes, NULL);
	uv_fs_req_cleanup(&req);
	if (rc < 0)
		goto out_close;
	s->req.data = s;
	*out = s;
	return 0;

out_close:
	uv_fs_close(s->uv, &req, s->fd, NULL);
	uv_fs_req_cleanup(&req);
out_free:
	free(s->zeros);
	free(s);
	return rc;
}

/* ---- common ---- */

static int io_in_range(const struct vs_blk_store *s, uint64_t off, uint64_t len)
{
	return off <= s->bytes && len <= s->bytes - off;
}

int vs_blk_store_submit(struct vs_blk_store *s, struct vs_blk_io *io, vs_blk_io_done_fn done)
{
	uint32_t i;

	if (s->io || s->busy)
		return -EBUSY;
	if ((io->op == VS_BLK_IO_READ || io->op == VS_BLK_IO_WRITE) &&
	    (!io_in_range(s, io->off, io->len) || (io->len && !io->buf)))
		return -EINVAL;
	if (io->op == VS_BLK_IO_ZERO)
		for (i = 0; i < io->nranges; i++)
			if (!io_in_range(s, io->ranges[i].off, io->ranges[i].len))
				return -EINVAL;
	io->result = 0;
	if (!s->is_file || io->op == VS_BLK_IO_NONE) {
		io->result = s->is_file ? 0 : mem_submit(s, io);
		return 0;
	}
	s->io = io;
	s->done = done;
	s->pos = 0;
	s->range = 0;
	s->phase = PH_DATA;
	s->req.data = s;
	file_step(s);
	return 1;
}

void vs_blk_store_close(struct vs_blk_store *s)
{
	uint64_t i;

	if (!s)
		return;
	if (s->is_file) {
		uv_fs_t req;

		/* A request still in flight writes into buffers its owner is
		 * about to free: wait for it, then drop its completion. */
		s->closing = 1;
		while (s->busy)
			uv_run(s->uv, UV_RUN_ONCE);
		vs_loop_cancel(s->loop, &s->work);
		uv_fs_close(s->uv, &req, s->fd, NULL);
		uv_fs_req_cleanup(&req);
		free(s->zeros);
	}
	for (i = 0; i < s->nchunk; i++)
		free(s->chunk[i]);
	free(s->chunk);
	free(s);
}
