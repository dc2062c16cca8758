/*
 * config.c - device configuration space and its generation (spec 2.5,
 * 4.2.2).
 *
 * Device side: two reads of the same field under one generation value must
 * agree.  The monitor remembers recent config reads with the generation
 * value last read before them; a read that differs from the remembered
 * one under the same generation makes a suspicion, and the next generation
 * read decides it: unchanged generation means the device changed the
 * field without saying so.  A driver write to config space (which may
 * change fields as a side effect, e.g. virtio-input's select) forgets
 * everything.
 *
 * Driver side (SHOULD): a "burst" is a run of config reads with no other
 * register access in between.  A burst covering more than 32 bits should
 * be bracketed by generation reads, and a bracket whose two generation
 * values differ should be retried (the next access reads config or the
 * generation again).
 */
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

static void burst_close(struct vs_monitor *mon, struct vs__dev *dev, int gen_after, uint32_t gen)
{
	struct vs__cfg *c = &dev->cfg;

	if (!c->burst_open)
		return;
	c->burst_open = 0;
	/* legacy interfaces have no generation to bracket with (2.5.4) */
	if (vs__dev_legacy_iface(dev))
		return;
	/* spec drv.basic.device-configuration-space.1: fields wider than 32
	 * bits, or several fields, are read between generation reads */
	if (c->burst_bytes > 4 && (!c->burst_pre_gen || !gen_after)) {
		vs__violate(mon, dev, -1, VS_R_CONFIG_READ_UNBRACKETED,
			    "%u bytes of config read at 0x%x..0x%x (%d reads%s) with no generation read %s",
			    c->burst_bytes, c->burst_start, c->burst_end, c->burst_reads,
			    c->burst_contig ? "" : ", scattered",
			    !c->burst_pre_gen ? "before" : "after");
		return;
	}
	if (c->burst_pre_gen && gen_after && gen != c->burst_gen) {
		c->retry_pending = 1;
		c->retry_before = c->burst_gen;
		c->retry_after = gen;
	}
}

static void retry_missed(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__cfg *c = &dev->cfg;

	if (!c->retry_pending)
		return;
	c->retry_pending = 0;
	/* spec drv.basic.device-configuration-space.1: loop while the
	 * generation changed */
	vs__violate(mon, dev, -1, VS_R_CONFIG_GENERATION_RETRY,
		    "generation went 0x%x -> 0x%x across a config read; no retry", c->retry_before,
		    c->retry_after);
}

void vs__config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		     uint64_t val)
{
	struct vs__cfg *c = &dev->cfg;
	struct vs__cfg_read *e = NULL;

	vs__devtype_config_read(mon, dev, off, width, val);
	/* a config read right after a changed bracket is the retry */
	c->retry_pending = 0;
	if (!c->burst_open) {
		c->burst_open = 1;
		c->burst_pre_gen = c->last_was_gen;
		c->burst_gen = c->gen;
		c->burst_start = off;
		c->burst_end = off + width;
		c->burst_bytes = width;
		c->burst_contig = 1;
		c->burst_reads = 1;
	} else {
		if (off != c->burst_end)
			c->burst_contig = 0;
		c->burst_end = off + width;
		c->burst_bytes += width;
		c->burst_reads++;
	}
	c->last_was_gen = 0;

	for (unsigned i = 0; i < VS__CFG_CACHE; i++)
		if (c->cache[i].valid && c->cache[i].off == off && c->cache[i].width == width)
			e = &c->cache[i];
	if (e && e->gen_valid && c->gen_valid && e->gen == c->gen && e->val != val && !c->suspect) {
		c->suspect = 1;
		c->suspect_gen = c->gen;
		c->suspect_off = off;
		c->suspect_old = e->val;
		c->suspect_new = val;
	}
	if (!e) {
		e = &c->cache[c->next];
		c->next = (c->next + 1) % VS__CFG_CACHE;
	}
	*e = (struct vs__cfg_read){1, off, width, val, c->gen_valid, c->gen};
}

void vs__config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		      uint64_t val)
{
	struct vs__cfg *c = &dev->cfg;

	vs__devtype_config_write(mon, dev, off, width, val);
	/* spec drv.init.device-suspend.5 */
	if (dev->suspend_req)
		vs__violate(mon, dev, -1, VS_R_SUSPEND_CONFIG_WRITE,
			    "%u-byte config write of 0x%llx at 0x%x after SUSPEND", width,
			    (unsigned long long)val, off);
	/* spec drv.init.device-initialization.2: config may be read, not
	 * written, before FEATURES_OK -- which a legacy interface without
	 * VIRTIO_F_VERSION_1 never sets (3.1.2) */
	else if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && !vs__dev_legacy(dev))
		vs__violate(mon, dev, -1, VS_R_INIT_CONFIG_WRITE_EARLY,
			    "%u-byte config write of 0x%llx at 0x%x with status 0x%02x", width,
			    (unsigned long long)val, off, dev->status);
	vs__config_other(mon, dev);
	memset(c->cache, 0, sizeof(c->cache));
	c->suspect = 0;
}

void vs__config_generation(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val)
{
	struct vs__cfg *c = &dev->cfg;

	/* spec dev.mmio.mmio-device-register-layout.6, on PCI
	 * dev.pci.pci-device-layout.common-configuration-structure-layout.6 */
	if (c->suspect && val == c->suspect_gen)
		vs__violate(mon, dev, -1,
			    dev->xport == VS__XPORT_PCI ? VS_R_PCI_CONFIG_GENERATION
							: VS_R_CONFIG_GENERATION,
			    "config at 0x%x read 0x%llx then 0x%llx while ConfigGeneration stayed 0x%x",
			    c->suspect_off, (unsigned long long)c->suspect_old,
			    (unsigned long long)c->suspect_new, val);
	c->suspect = 0;
	if (c->burst_open)
		burst_close(mon, dev, 1, val);
	else
		c->retry_pending = 0; /* the retry starts with a generation read */
	c->gen = val;
	c->gen_valid = 1;
	c->last_was_gen = 1;
}

void vs__config_other(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__cfg *c = &dev->cfg;

	burst_close(mon, dev, 0, 0);
	retry_missed(mon, dev);
	c->last_was_gen = 0;
}

void vs__config_reset(struct vs__dev *dev)
{
	memset(&dev->cfg, 0, sizeof(dev->cfg));
}

void vs__config_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	struct vs__cfg *c = &dev->cfg;

	/* a burst still open at the end of the run never got its closing
	 * generation read; one without an opening read is judged now */
	if (!force)
		return;
	if (c->burst_open && !c->burst_pre_gen)
		burst_close(mon, dev, 0, 0);
	c->burst_open = 0;
	retry_missed(mon, dev);
}
