/*
 * runner_blk.c - the blk.* steps and the disk shadows (runner_blk.h).
 *
 * A shadow is sparse, as the disk it follows: 64 KiB chunks allocated on
 * the first write into them, never-written chunks reading as zeros, and
 * a bitmap of unknown sectors allocated only once an operation fails
 * midway.  Each step touches only the chunks of its range.
 */
#include "harness/runner_blk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/prng.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "driver/guest.h"

#define SECTOR 512u
#define CHUNK_SECTORS 128u /* 64 KiB */
#define CHUNK_BYTES (CHUNK_SECTORS * SECTOR)

struct blk_shadow {
	int ready;
	uint64_t sectors;
	uint64_t nchunk;
	uint8_t **chunk;  /* NULL: zeros */
	uint8_t *unknown; /* bit per sector; NULL: every sector known */
};

struct vs__blk_run {
	struct blk_shadow sh[VS_SCN_MAX_DEVICES];
};

struct vs__blk_run *vs__blk_run_create(void)
{
	return calloc(1, sizeof(struct vs__blk_run));
}

static void shadow_free(struct blk_shadow *sh)
{
	for (uint64_t i = 0; sh->chunk && i < sh->nchunk; i++)
		free(sh->chunk[i]);
	free(sh->chunk);
	free(sh->unknown);
	memset(sh, 0, sizeof(*sh));
}

void vs__blk_run_destroy(struct vs__blk_run *b)
{
	if (!b)
		return;
	for (size_t d = 0; d < VS_SCN_MAX_DEVICES; d++)
		shadow_free(&b->sh[d]);
	free(b);
}

/* The shadow of device d, sized to the capacity the device starts with. */
static struct blk_shadow *shadow_get(struct vs__blk_run *b, struct vs_machine_dev *md, size_t d)
{
	struct blk_shadow *sh = &b->sh[d];
	uint8_t cap[8];

	if (sh->ready)
		return sh;
	if (vs_vdev_config_read(md->vdev, VS_BLK_CFG_CAPACITY, cap, sizeof(cap)))
		return NULL;
	sh->sectors = vs_le64(cap);
	sh->nchunk = (sh->sectors + CHUNK_SECTORS - 1) / CHUNK_SECTORS;
	sh->chunk = calloc(sh->nchunk ? sh->nchunk : 1, sizeof(*sh->chunk));
	if (!sh->chunk)
		return NULL;
	sh->ready = 1;
	return sh;
}

static int unknown(const struct blk_shadow *sh, uint64_t s)
{
	return sh->unknown && (sh->unknown[s / 8] >> (s % 8)) & 1;
}

static void set_unknown(struct blk_shadow *sh, uint64_t s, int on)
{
	if (!sh->unknown) {
		if (!on)
			return;
		sh->unknown = calloc((sh->sectors + 7) / 8, 1);
		if (!sh->unknown)
			return; /* without memory the sector stays "known": a false alarm at worst */
	}
	if (on)
		sh->unknown[s / 8] |= (uint8_t)(1u << (s % 8));
	else
		sh->unknown[s / 8] &= (uint8_t)~(1u << (s % 8));
}

/* Sector s of the shadow (zeros when never written), or NULL on ENOMEM
 * when for_write. */
static uint8_t *sector_ptr(struct blk_shadow *sh, uint64_t s, int for_write)
{
	static const uint8_t zeros[SECTOR];
	uint64_t c = s / CHUNK_SECTORS;

	if (!sh->chunk[c]) {
		if (!for_write)
			return (uint8_t *)zeros;
		sh->chunk[c] = calloc(1, CHUNK_BYTES);
		if (!sh->chunk[c])
			return NULL;
	}
	return sh->chunk[c] + (s % CHUNK_SECTORS) * SECTOR;
}

/* After an operation on [sector, +n): data (NULL: zeros) when it
 * succeeded; when it failed in a way that may have changed the disk, the
 * range becomes unknown.  Sectors past the shadow are ignored. */
static void shadow_apply(struct blk_shadow *sh, uint64_t sector, uint64_t n, const uint8_t *data,
			 int rc)
{
	int untouched = rc == -EINVAL || rc == -EROFS || rc == -EOPNOTSUPP || rc == -ENODEV ||
			rc == -ENOENT || rc == -EBUSY;

	if (rc < 0 && untouched)
		return;
	for (uint64_t i = 0; i < n && sector + i < sh->sectors; i++) {
		uint64_t s = sector + i;
		uint8_t *p;

		if (rc < 0) {
			set_unknown(sh, s, 1);
			continue;
		}
		if (!data && !sh->chunk[s / CHUNK_SECTORS]) {
			set_unknown(sh, s, 0);
			continue; /* zeros already */
		}
		p = sector_ptr(sh, s, 1);
		if (!p) {
			set_unknown(sh, s, 1);
			continue;
		}
		if (data)
			memcpy(p, data + i * SECTOR, SECTOR);
		else
			memset(p, 0, SECTOR);
		set_unknown(sh, s, 0);
	}
}

/* Compare data read at [sector, +n) with the shadow: 0, or -1 and a
 * sentence about the first difference. */
static int shadow_compare(struct blk_shadow *sh, uint64_t sector, uint64_t n, const uint8_t *data,
			  char *mismatch, size_t len)
{
	for (uint64_t i = 0; i < n && sector + i < sh->sectors; i++) {
		uint64_t s = sector + i;
		const uint8_t *want;

		if (unknown(sh, s))
			continue;
		want = sector_ptr(sh, s, 0);
		if (memcmp(want, data + i * SECTOR, SECTOR) == 0)
			continue;
		for (unsigned k = 0; k < SECTOR; k++) {
			if (want[k] == data[i * SECTOR + k])
				continue;
			snprintf(mismatch, len, "sector %llu byte %u holds 0x%02x, 0x%02x was written",
				 (unsigned long long)s, k, data[i * SECTOR + k], want[k]);
			return -1;
		}
	}
	return 0;
}

/* blk.write's data: one byte, or a pattern seeded with the step's seed. */
static void make_data(const struct vs_scn_step *st, uint8_t *buf, size_t len)
{
	struct vs_prng p;

	if (st->fill >= 0) {
		memset(buf, st->fill, len);
		return;
	}
	vs_prng_seed_stream(&p, st->pattern, "blk.write");
	vs_prng_fill(&p, buf, len);
}

/* blk.get-lifetime: the report against the values the step gives. */
static int run_get_lifetime(struct vs_machine_dev *md, const struct vs_scn_step *st,
			    char *mismatch, size_t len)
{
	static const char *const names[3] = {"pre_eol_info", "life_a", "life_b"};
	struct vs_guest_blk_lifetime lt;
	unsigned got[3];
	int rc = vs_guest_blk_get_lifetime(md->handle, &lt);

	if (rc)
		return rc;
	got[0] = lt.pre_eol_info;
	got[1] = lt.lifetime_est_a;
	got[2] = lt.lifetime_est_b;
	for (size_t k = 0; k < 3; k++) {
		if (st->blk_lifetime[k] < 0 || got[k] == (unsigned)st->blk_lifetime[k])
			continue;
		snprintf(mismatch, len, "%s %u, expected %d (pre_eol_info %u, life_a %u, life_b %u)",
			 names[k], got[k], st->blk_lifetime[k], got[0], got[1], got[2]);
		break;
	}
	return 0;
}

int vs__run_blk_step(struct vs__blk_run *b, struct vs_machine_dev *md, size_t d,
		     const struct vs_scn_step *st, char *mismatch, size_t len)
{
	struct blk_shadow *sh = shadow_get(b, md, d);
	size_t bytes = (size_t)st->nsectors * SECTOR;
	char id[VIRTIO_BLK_ID_BYTES], want[VIRTIO_BLK_ID_BYTES];
	uint8_t *buf = NULL;
	int rc;

	mismatch[0] = '\0';
	if (!sh)
		return -ENOMEM;
	switch (st->op) {
	case VS_STEP_BLK_WRITE:
	case VS_STEP_BLK_READ:
		buf = malloc(bytes);
		if (!buf)
			return -ENOMEM;
		if (st->op == VS_STEP_BLK_WRITE)
			make_data(st, buf, bytes);
		rc = vs_guest_blk_rw(md->handle, st->op == VS_STEP_BLK_WRITE, st->sector, buf, bytes);
		if (st->op == VS_STEP_BLK_WRITE)
			shadow_apply(sh, st->sector, st->nsectors, buf, rc);
		else if (rc == 0 && st->blk_check)
			shadow_compare(sh, st->sector, st->nsectors, buf, mismatch, len);
		free(buf);
		return rc;
	case VS_STEP_BLK_FLUSH:
		return vs_guest_blk_flush(md->handle);
	case VS_STEP_BLK_DISCARD:
	case VS_STEP_BLK_WRITE_ZEROES:
	case VS_STEP_BLK_SECURE_ERASE:
		rc = st->op == VS_STEP_BLK_DISCARD
			     ? vs_guest_blk_discard(md->handle, st->sector, st->nsectors)
		     : st->op == VS_STEP_BLK_WRITE_ZEROES
			     ? vs_guest_blk_write_zeroes(md->handle, st->sector, st->nsectors)
			     : vs_guest_blk_secure_erase(md->handle, st->sector, st->nsectors);
		/* This device zeroes discarded and erased sectors too (a
		 * driver may not count on it for a discard,
		 * drv.blk.device-operation.15; the harness checks its own
		 * device). */
		shadow_apply(sh, st->sector, st->nsectors, NULL, rc);
		return rc;
	case VS_STEP_BLK_GET_ID:
		rc = vs_guest_blk_get_id(md->handle, id);
		if (rc == 0 && st->blk_id_given) {
			memset(want, 0, sizeof(want));
			memcpy(want, st->blk_id, strnlen(st->blk_id, sizeof(want)));
			if (memcmp(id, want, sizeof(id)) != 0)
				snprintf(mismatch, len, "id \"%.20s\", expected \"%.20s\"", id, want);
		}
		return rc;
	case VS_STEP_BLK_GET_LIFETIME:
		return run_get_lifetime(md, st, mismatch, len);
	default:
		return -EINVAL;
	}
}

int vs__blk_check_file(struct vs__blk_run *b, struct vs_machine_dev *md, size_t d,
		       char *mismatch, size_t len)
{
	const struct vs_scn_device *desc = md->desc;
	struct blk_shadow *sh;
	uint8_t sector[SECTOR];
	FILE *f;
	int rc = 0;

	mismatch[0] = '\0';
	if (strcmp(desc->type, "blk") != 0 || !desc->backend_file[0])
		return 0;
	sh = b ? shadow_get(b, md, d) : NULL;
	if (!sh) {
		snprintf(mismatch, len, "%s: no shadow to compare with (out of memory)",
			 desc->backend_file);
		return -1;
	}
	f = fopen(desc->backend_file, "rb");
	if (!f) {
		snprintf(mismatch, len, "%s: cannot open: %s", desc->backend_file, strerror(errno));
		return -1;
	}
	for (uint64_t s = 0; s < sh->sectors; s++) {
		if (fread(sector, 1, SECTOR, f) != SECTOR) {
			snprintf(mismatch, len, "%s: ends at sector %llu of %llu", desc->backend_file,
				 (unsigned long long)s, (unsigned long long)sh->sectors);
			rc = -1;
			break;
		}
		if (shadow_compare(sh, s, 1, sector, mismatch, len) < 0) {
			char what[160];

			snprintf(what, sizeof(what), "%s", mismatch);
			snprintf(mismatch, len, "%s: %s", desc->backend_file, what);
			rc = -1;
			break;
		}
	}
	fclose(f);
	if (desc->backend_remove)
		unlink(desc->backend_file);
	return rc;
}
