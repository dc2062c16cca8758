/*
 * guest.h - the harness's handle on the guest: the driver side of one
 * machine (virtio core, rings, the virtio-mmio transport driver and the
 * device drivers, on the kernel shim).
 *
 * Call order: vs_guest_init (binds the guest to the machine's arena, bus,
 * irq controller, loop and fault switches and registers the built-in
 * drivers), vs_guest_pci_enumerate once when the machine has PCI functions,
 * then any number of vs_guest_mmio_add / vs_guest_pci_add /
 * vs_guest_rng_read / vs_guest_reset / vs_guest_remove, then vs_guest_fini.  One machine at a
 * time: the guest is a global context, as a kernel is.
 *
 * Every wait for the device runs the machine's loop in virtual time and is
 * bounded by vs_guest_timeout_ns.  Errors are negative errno values.
 */
#ifndef VS_GUEST_H
#define VS_GUEST_H

#include <stddef.h>
#include <stdint.h>

struct vs_arena;
struct vs_bus;
struct vs_irq;
struct vs_loop;
struct vs_faults;

struct vs_guest_env {
	struct vs_arena *arena;   /* guest RAM: required */
	struct vs_bus *bus;       /* registers; NULL: every read is all-ones */
	struct vs_irq *irq;       /* NULL: request_irq fails with -ENODEV */
	struct vs_loop *loop;     /* NULL: waits time out at once */
	struct vs_faults *faults; /* driver-side fault switches; NULL: none */
};

/* 0; -EBUSY when a guest is already bound; -EINVAL without an arena;
 * or a driver registration's error (then nothing stays bound). */
int vs_guest_init(const struct vs_guest_env *env);
/* Remove every device still registered, unregister the drivers and free
 * everything: vs_arena_allocated() is back where it was before init. */
void vs_guest_fini(void);

/*
 * A virtio-mmio device at [base, base+size) raising irq_line: runs the
 * virtio_mmio probe (magic, version 2 or legacy 1, other versions and
 * device id 0 give -ENODEV, the latter without an error message), registers the
 * virtio device, matches a driver and probes it.  0 and *handle, or the
 * probe's negative errno (-EIO, -ENODEV, -ETIMEDOUT, -ENOENT, -ENOMEM,
 * -ENOSPC when too many devices); on failure nothing is left registered.
 * A device no driver knows is registered and returns 0.
 */
int vs_guest_mmio_add(uint64_t base, uint64_t size, unsigned irq_line, int *handle);

/*
 * The firmware's PCI scan, once, after the harness plugged every function:
 * bus 0 through the ECAM window (core/pci_regs.h), every BAR sized and
 * given an address from the platform's memory or I/O window, decoding
 * enabled.  Binds no driver.  The number of functions found, -EBUSY when
 * already scanned, -ENODEV without a guest or a bus.
 */
int vs_guest_pci_enumerate(void);

/*
 * Hand the function at slot (function 0) to the guest: its INTx pin is
 * wired to core/irq line intx_line; the virtio-pci driver probes it --
 * modern interface first, legacy when there is none, or legacy first with
 * force_legacy (a transitional device driven as a legacy one) -- and the
 * virtio device's driver initializes it, its interrupts set up by the
 * policy chain (vs_guest_irq_mode).  0 and *handle, or -ENODEV (no
 * function there, or not a virtio device the driver can use), -EBUSY
 * (already handed over), -EINVAL (slot >= 32), -ENOSPC (too many
 * devices), or the probe's error; on failure nothing stays bound and the
 * slot may be added again.  A device no virtio driver knows returns 0.
 */
int vs_guest_pci_add(unsigned slot, unsigned intx_line, int force_legacy, int *handle);

/*
 * How a device's interrupts reach the driver, as chosen at its last
 * find_vqs (probe, or reset): "msix-per-vq" (config vector + one per
 * queue), "msix-shared" (config vector + one for all queues),
 * "msix-single" (one vector for everything), "intx" (the INTx line and the
 * ISR); "none" for a PCI function without queues set up (no driver bound,
 * or its probe failed); "mmio" for a virtio-mmio device (one line and
 * InterruptStatus).  NULL for an unknown handle.  A static string.
 */
const char *vs_guest_irq_mode(int handle);

/* Unregister: the driver's remove (reset, detach, del_vqs, free), then the
 * device (a PCI function stays on the bus, unbound).  0 or -ENOENT for an
 * unknown handle. */
int vs_guest_remove(int handle);

/*
 * Reset in the middle of traffic (freeze/restore): the driver stops, the
 * device is reset, buffers still outstanding are detached and freed (a
 * pending read is failed), the full initialization runs again and the
 * driver resumes.  0, -ENOENT, -ENODEV (no driver bound), or the error of
 * the re-initialization (the device is then left FAILED, driver stopped).
 */
int vs_guest_reset(int handle);

/*
 * wait=1: read up to len bytes (one request of at most 4096 bytes) of
 * entropy: the number read (> 0), -ETIMEDOUT when the device does not
 * answer within vs_guest_timeout_ns (the request stays queued; a later
 * read collects it), -EIO when the queue is broken or the device returned
 * a bad length, -ENODEV when the device is not an rng (or has no driver),
 * -ENOENT for an unknown handle, -EINVAL for len 0.
 * wait=0: queue a request if none is pending and return 0 without waiting
 * (bytes already received are returned instead, > 0).
 */
int vs_guest_rng_read(int handle, void *buf, size_t len, int wait);

/* Virtual timeout of every guest wait, default 1 s (1000000000). */
extern uint64_t vs_guest_timeout_ns;

#endif /* VS_GUEST_H */
