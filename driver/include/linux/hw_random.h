/*
 * linux/hw_random.h - the hardware RNG core: drivers register a struct
 * hwrng whose read() hands out random bytes.
 *
 * read(rng, data, max, wait): with wait, block (run the machine) until at
 * least one byte arrives and return the count, or a negative errno; without
 * wait, return what is available now (possibly 0).
 */
#ifndef VS_LINUX_HW_RANDOM_H
#define VS_LINUX_HW_RANDOM_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/list.h>

struct hwrng {
	const char *name;
	int (*init)(struct hwrng *rng);
	void (*cleanup)(struct hwrng *rng);
	int (*read)(struct hwrng *rng, void *data, size_t max, bool wait);
	unsigned long priv;     /* the driver's */
	unsigned short quality; /* entropy per mille of bits */
	/* virtiosim: the device behind this rng, so the harness reads one device */
	struct device *dev;
	struct list_head list;  /* private */
};

/* 0; -EINVAL without name or read; -EEXIST when the name is taken. */
int hwrng_register(struct hwrng *rng);
void hwrng_unregister(struct hwrng *rng);
/* virtiosim: the rng registered for dev, or NULL. */
struct hwrng *hwrng_find_by_dev(const struct device *dev);

#endif /* VS_LINUX_HW_RANDOM_H */
