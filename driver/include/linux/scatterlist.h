/*
 * linux/scatterlist.h - lists of buffers handed to a virtqueue.
 *
 * An entry is a guest-virtual buffer and its length.  A table ends at the
 * entry marked with sg_mark_end; sg_chain turns a table's last slot into a
 * link to another table.  Buffers must be guest RAM (kmalloc'd), because
 * sg_phys() gives the device their guest-physical address.
 */
#ifndef VS_LINUX_SCATTERLIST_H
#define VS_LINUX_SCATTERLIST_H

#include <string.h>

#include <linux/compiler.h>
#include <linux/io.h>

#define SG_CHAIN 0x01u /* this slot only links to another table (in buf) */
#define SG_END   0x02u /* last entry of the list */

struct scatterlist {
	void *buf;           /* buffer, or the next table for SG_CHAIN */
	unsigned int length; /* bytes */
	unsigned int flags;  /* SG_CHAIN, SG_END */
};

static inline bool sg_is_chain(const struct scatterlist *sg)
{
	return sg->flags & SG_CHAIN;
}

static inline bool sg_is_last(const struct scatterlist *sg)
{
	return sg->flags & SG_END;
}

static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->flags = (sg->flags & ~SG_CHAIN) | SG_END;
}

static inline void sg_unmark_end(struct scatterlist *sg)
{
	sg->flags &= ~SG_END;
}

static inline void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg->buf = (void *)(uintptr_t)buf;
	sg->length = buflen;
}

/* Zero nents entries and mark the last as the end. */
static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	sg_mark_end(&sgl[nents - 1]);
}

static inline void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

/* Make prv[prv_nents - 1] a link to sgl (that slot carries no buffer). */
static inline void sg_chain(struct scatterlist *prv, unsigned int prv_nents,
			    struct scatterlist *sgl)
{
	struct scatterlist *link = &prv[prv_nents - 1];

	link->buf = sgl;
	link->length = 0;
	link->flags = SG_CHAIN;
}

/* The entry after sg, following chain links; NULL after the last. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	while (sg_is_chain(sg))
		sg = (struct scatterlist *)sg->buf;
	return sg;
}

static inline void *sg_virt(const struct scatterlist *sg)
{
	return sg->buf;
}

static inline dma_addr_t sg_phys(const struct scatterlist *sg)
{
	return virt_to_phys(sg->buf);
}

/* Entries in the list (chain links not counted). */
static inline unsigned int sg_nents(struct scatterlist *sg)
{
	unsigned int n = 0;

	for (; sg; sg = sg_next(sg))
		n++;
	return n;
}

#endif /* VS_LINUX_SCATTERLIST_H */
