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

/*
 * Virtqueue tokens since vs_guest_init: how many buffers the drivers made
 * available (added) and how many came back to them, from get_buf or
 * detached at a reset or removal (returned).  returned > added means a
 * token came back twice; after vs_guest_fini the two are equal unless a
 * driver lost a buffer.  Readable after vs_guest_fini.
 */
void vs_guest_token_stats(uint64_t *added, uint64_t *returned);

/*
 * virtio-console (driver/virtio_console.c), by port number.  Each returns
 * -ENOENT for an unknown handle or a port the driver does not have (not
 * added yet, or removed), -ENODEV when the device is not a console driven
 * by virtio_console.
 *  port_count: ports the driver has.
 *  port_info:  what the driver knows of one port (0).
 *  open/close: as a process opening the port's char device: PORT_OPEN
 *              1 / 0 to the device (MULTIPORT only), waiting until the
 *              device took it; 0, -ETIMEDOUT, -EIO.
 *  write:      len bytes on the port's transmit queue, waiting until the
 *              device used them: len, -EBADF (a generic port not open),
 *              -EPIPE (its host side closed), -ETIMEDOUT, -EIO.
 *  read:       up to len bytes the device sent: the count; with wait, it
 *              waits up to vs_guest_timeout_ns (-ETIMEDOUT), without
 *              -EAGAIN when nothing is there; -EBADF as write.
 *  emerg_write: len bytes through emerg_wr, one config write each: len,
 *              or -EOPNOTSUPP without VIRTIO_CONSOLE_F_EMERG_WRITE.
 */
struct vs_guest_console_port {
	int console;          /* nominated a console port */
	int guest_open;       /* opened on the guest side */
	int host_open;        /* the device's last PORT_OPEN said open */
	uint16_t cols, rows;  /* size, 0 when never given */
	char name[256];       /* "" when the device gave none */
};
int vs_guest_console_port_count(int handle);
int vs_guest_console_port_info(int handle, unsigned port, struct vs_guest_console_port *out);
int vs_guest_console_open(int handle, unsigned port);
int vs_guest_console_close(int handle, unsigned port);
long vs_guest_console_write(int handle, unsigned port, const void *buf, size_t len);
long vs_guest_console_read(int handle, unsigned port, void *buf, size_t len, int wait);
long vs_guest_console_emerg_write(int handle, const void *buf, size_t len);

/*
 * virtio-blk (driver/virtio_blk.c) through the block layer
 * (driver/blk_core.c), synchronously; sector and nsectors in 512-byte
 * units.  Each returns 0 or a negative errno: -ENOENT for an unknown
 * handle, -ENODEV when the device is not a disk driven by virtio_blk,
 * -EINVAL for a length that is not whole sectors or a range beyond the
 * capacity, -EROFS for a change to a read-only disk, -EOPNOTSUPP when the
 * device does not offer the operation (discard, write zeroes, secure
 * erase, lifetime) or answered UNSUPP, -EIO when it answered IOERR or
 * something the driver cannot trust (a used len short of the status
 * byte, an unknown status, a reserved lifetime value), -ETIMEDOUT when a
 * request did not end within vs_guest_timeout_ns.
 *  rw:           len bytes at sector between buf and the disk (write != 0:
 *                to the disk), split into requests within seg_max.
 *  flush:        a FLUSH when the disk has a writeback cache, else 0 at once.
 *  discard / write_zeroes: nsectors from sector, in ranges within the
 *                device's limits.
 *  secure_erase: nsectors from sector erased (VIRTIO_BLK_T_SECURE_ERASE),
 *                in ranges within max_secure_erase_sectors, at most
 *                max_secure_erase_seg per request, cut on the alignment;
 *                -EINVAL when sector, or the end unless it is the end of
 *                the disk, is not a multiple of secure_erase_alignment.
 *  get_id:       the 20-byte device id (NUL-padded, not NUL-terminated
 *                at 20 characters).
 *  get_lifetime: the device's wear report (VIRTIO_BLK_T_GET_LIFETIME,
 *                needs VIRTIO_BLK_F_LIFETIME).
 *  info:         what the driver made of the device's configuration.
 */
struct vs_guest_blk_info {
	uint64_t capacity;          /* sectors */
	int read_only;
	int writeback;              /* flushes go to the device */
	unsigned nr_queues;         /* request queues in use */
	unsigned max_segments;      /* data segments per request */
	unsigned max_segment_size;  /* bytes */
	unsigned logical_block_size;
	unsigned max_discard_sectors, max_discard_segments; /* 0: no discard */
	unsigned max_write_zeroes_sectors;                  /* 0: no write zeroes */
	unsigned max_secure_erase_sectors, max_secure_erase_segments; /* 0: no secure erase */
	unsigned secure_erase_alignment;                    /* sectors, >= 1 with secure erase */
};
struct vs_guest_blk_lifetime {
	unsigned pre_eol_info;   /* VIRTIO_BLK_PRE_EOL_INFO_*: 0 undefined, 1 normal,
				  * 2 warning (80% of the reserve used), 3 urgent (90%) */
	unsigned lifetime_est_a; /* SLC wear: 0 undefined, 1..10 in 10% steps, 11 exceeded */
	unsigned lifetime_est_b; /* MLC wear, the same scale */
};
int vs_guest_blk_rw(int handle, int write, uint64_t sector, void *buf, size_t len);
int vs_guest_blk_flush(int handle);
int vs_guest_blk_discard(int handle, uint64_t sector, uint64_t nsectors);
int vs_guest_blk_write_zeroes(int handle, uint64_t sector, uint64_t nsectors);
int vs_guest_blk_secure_erase(int handle, uint64_t sector, uint64_t nsectors);
int vs_guest_blk_get_id(int handle, char id[20]);
int vs_guest_blk_get_lifetime(int handle, struct vs_guest_blk_lifetime *out);
int vs_guest_blk_info(int handle, struct vs_guest_blk_info *out);

/*
 * virtio-net (driver/virtio_net*.c), shaped like Linux's virtio_net: a
 * net_device per device whose "stack" is this API.  Received frames go to
 * a per-device backlog (as netif_receive_skb would hand them up) of at
 * most VS_GUEST_NET_BACKLOG frames, oldest first; beyond it they are
 * dropped and counted.  Frames are Ethernet frames without the virtio-net
 * header.  Each returns -ENOENT for an unknown handle, -ENODEV when the
 * device is not a net device driven by virtio_net.
 *  info:        what the driver made of the device.
 *  xmit:        start_xmit of one frame on transmit queue `queue` (< the
 *               queue pairs in use), with offload fields (NULL: a fully
 *               checksummed frame, gso NONE).  When the queue is stopped
 *               (fewer than 2 + MAX_SKB_FRAGS free slots) it waits for
 *               the device to use transmitted buffers first, as the stack
 *               would, bounded by vs_guest_timeout_ns.  0 once the frame
 *               is on the ring (and notified); -ENETDOWN when the link is
 *               down; -EMSGSIZE beyond mtu + 14 with gso NONE, or beyond
 *               VS_NET_MAX_GSO_FRAME; -EINVAL for a bad queue, length
 *               (< 14) or offload the negotiated features do not allow;
 *               -ETIMEDOUT; -EIO when the queue is broken.
 *  tx_drain:    wait until the device used every transmitted buffer of
 *               every queue: 0, -ETIMEDOUT, -EIO.
 *  recv:        the oldest received frame: its length (the frame is cut
 *               at len, the length is the whole frame's), meta filled
 *               when not NULL; with wait, waits up to vs_guest_timeout_ns
 *               (-ETIMEDOUT), without -EAGAIN when the backlog is empty;
 *               -EIO at once when the backlog is empty and nothing can
 *               arrive any more (every receive queue in use broken, or
 *               the driver stopped after a failed restore).
 *  rx_pending:  frames in the backlog.
 *  set_rx_mode: VIRTIO_NET_CTRL_RX PROMISC and ALLMULTI.
 *  set_mac_table: VIRTIO_NET_CTRL_MAC_TABLE_SET, unicast then multicast.
 *  set_mac:     VIRTIO_NET_CTRL_MAC_ADDR_SET (or, on a legacy device
 *               without CTRL_MAC_ADDR, the config write legacy allows).
 *  vlan:        VIRTIO_NET_CTRL_VLAN_ADD (add != 0) / _DEL.
 *  set_queue_pairs: VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1..max_pairs.
 * Control commands return 0, -EOPNOTSUPP when the feature they need was
 * not negotiated, -EINVAL for an argument out of range, -EIO when the
 * device answered VIRTIO_NET_ERR (or anything but OK), -ETIMEDOUT.
 */
#define VS_GUEST_NET_BACKLOG 4096u
struct vs_guest_net_info {
	uint8_t mac[6];
	int link_up;                 /* carrier as the driver sees it */
	unsigned mtu;
	unsigned max_pairs, cur_pairs;
	const char *rx_mode;         /* "small", "big" or "mergeable" */
	unsigned hdr_len;            /* virtio-net header bytes: 12, or 10 */
	int ctrl_vq;                 /* control queue in use */
	int csum, guest_csum;        /* VIRTIO_NET_F_CSUM, _GUEST_CSUM negotiated */
	int host_tso4, guest_tso4;
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t rx_errors;          /* receive buffers the driver refused (bad len,
	                              * num_buffers, header) */
	uint64_t rx_dropped;         /* backlog full */
	uint64_t announces;          /* gratuitous ARPs sent on VIRTIO_NET_S_ANNOUNCE */
	uint64_t link_changes;       /* carrier changes seen */
};
struct vs_guest_net_offload {
	int needs_csum;              /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	uint16_t csum_start, csum_offset;
	uint8_t gso_type;            /* VIRTIO_NET_HDR_GSO_* */
	uint16_t gso_size, hdr_len;
};
struct vs_guest_net_rx_meta {
	unsigned queue;              /* receive queue it came on */
	uint8_t flags, gso_type;     /* from the header */
	uint16_t gso_size, csum_start, csum_offset;
	unsigned num_buffers;        /* buffers it spanned */
};
int vs_guest_net_info(int handle, struct vs_guest_net_info *out);
int vs_guest_net_xmit(int handle, unsigned queue, const void *frame, size_t len,
		      const struct vs_guest_net_offload *off);
int vs_guest_net_tx_drain(int handle);
long vs_guest_net_recv(int handle, void *buf, size_t len, struct vs_guest_net_rx_meta *meta,
		       int wait);
int vs_guest_net_rx_pending(int handle);
int vs_guest_net_set_rx_mode(int handle, int promisc, int allmulti);
int vs_guest_net_set_mac_table(int handle, const uint8_t (*uc)[6], unsigned n_uc,
			       const uint8_t (*mc)[6], unsigned n_mc);
int vs_guest_net_set_mac(int handle, const uint8_t mac[6]);
int vs_guest_net_vlan(int handle, uint16_t vid, int add);
int vs_guest_net_set_queue_pairs(int handle, unsigned pairs);

/* Virtual timeout of every guest wait, default 1 s (1000000000). */
extern uint64_t vs_guest_timeout_ns;

#endif /* VS_GUEST_H */
