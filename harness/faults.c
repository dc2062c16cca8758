/*
 * faults.c - the fault catalogue (see faults.h).  One row per fault point
 * in core/fault.h; a _Static_assert keeps the table and the enum in step.
 * The rule column is what the suite's negative scenarios expect to fire.
 */
#include "harness/faults.h"

#include <string.h>

static const struct vs_fault_info catalogue[] = {
	{VS_FAULT_DEV_USED_ID_RANGE, "device.used-id-out-of-range", VS_SIDE_DEVICE,
	 "completes a chain with a used id >= the queue size", "split.used-id-range"},
	{VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING, "device.used-id-not-outstanding", VS_SIDE_DEVICE,
	 "completes a chain with an in-range id that is not outstanding",
	 "split.used-id-not-outstanding"},
	{VS_FAULT_DEV_USED_LEN_OVER, "device.used-len-too-long", VS_SIDE_DEVICE,
	 "reports a used len beyond the chain's device-writable bytes", "split.used-len"},
	{VS_FAULT_DEV_WRITE_READABLE, "device.write-readable-buffer", VS_SIDE_DEVICE,
	 "writes into the chain's first device-readable buffer, or over its descriptor "
	 "table entry when it has none (as an rng request)",
	 "split.device-write-readable"},
	{VS_FAULT_DEV_NO_INTERRUPT, "device.missing-interrupt", VS_SIDE_DEVICE,
	 "publishes used buffers but never raises the interrupt", "notify.used-missing"},
	{VS_FAULT_DEV_SPURIOUS_INTERRUPT, "device.spurious-interrupt", VS_SIDE_DEVICE,
	 "raises a used-buffer interrupt with nothing new in the used ring",
	 "mmio.isr-spurious"},
	{VS_FAULT_DEV_FEATURES_OK_REFUSE, "device.refuse-features-ok", VS_SIDE_DEVICE,
	 "clears FEATURES_OK although the accepted features are valid (allowed: no rule)", ""},
	{VS_FAULT_DEV_CONFIG_NO_GENERATION, "device.config-without-generation", VS_SIDE_DEVICE,
	 "changes device config without bumping config generation", "config.generation"},
	{VS_FAULT_DEV_RESET_INCOMPLETE, "device.reset-incomplete", VS_SIDE_DEVICE,
	 "status does not read back 0 right after a reset", "mmio.reset-readback"},
	{VS_FAULT_DRV_DRIVER_OK_EARLY, "driver.driver-ok-before-features-ok", VS_SIDE_DRIVER,
	 "sets DRIVER_OK before FEATURES_OK during initialization", "init.status-order"},
	{VS_FAULT_DRV_KICK_EARLY, "driver.kick-before-driver-ok", VS_SIDE_DRIVER,
	 "notifies a queue before setting DRIVER_OK", "init.kick-before-driver-ok"},
	{VS_FAULT_DRV_UNOFFERED_FEATURE, "driver.accept-unoffered-feature", VS_SIDE_DRIVER,
	 "accepts a feature bit the device did not offer", "features.unoffered"},
	{VS_FAULT_DRV_DESC_LOOP, "driver.descriptor-loop", VS_SIDE_DRIVER,
	 "makes a descriptor chain loop back to its head", "split.desc-loop"},
	{VS_FAULT_DRV_DESC_OUT_OF_RANGE, "driver.buffer-outside-memory", VS_SIDE_DRIVER,
	 "points a descriptor at an address outside guest memory", "split.desc-range"},
	{VS_FAULT_DRV_WRITE_BEFORE_READ, "driver.writable-before-readable", VS_SIDE_DRIVER,
	 "puts a device-writable descriptor before a device-readable one",
	 "split.write-before-read"},
	{VS_FAULT_DRV_AVAIL_IDX_JUMP, "driver.avail-idx-jump", VS_SIDE_DRIVER,
	 "moves avail idx forward by more than the queue size", "split.avail-idx-jump"},
	{VS_FAULT_DRV_CLEAR_STATUS_BIT, "driver.clear-status-bit", VS_SIDE_DRIVER,
	 "clears a device status bit without a reset", "init.status-clear"},
	{VS_FAULT_DEV_PACKED_USED_WRAP, "device.packed-used-wrap", VS_SIDE_DEVICE,
	 "writes a packed used descriptor with AVAIL and USED both set to the inverse of its "
	 "wrap counter (the driver cannot see it)", "packed.used-wrap"},
	{VS_FAULT_DEV_PACKED_USED_FLAGS, "device.packed-used-flags", VS_SIDE_DEVICE,
	 "writes a packed used descriptor whose AVAIL bit differs from its USED bit",
	 "packed.used-flags"},
	{VS_FAULT_DRV_INDIRECT_NEXT, "driver.indirect-with-next", VS_SIDE_DRIVER,
	 "sets NEXT on the descriptor that refers to an indirect table (packed ring: "
	 "packed.indirect-in-list)", "split.indirect-next"},
	{VS_FAULT_DRV_INDIRECT_NESTED, "driver.indirect-nested", VS_SIDE_DRIVER,
	 "sets INDIRECT on the first entry of an indirect table (packed ring: "
	 "packed.indirect-flags)", "split.indirect-nested"},
	{VS_FAULT_DRV_INDIRECT_LEN, "driver.indirect-table-len", VS_SIDE_DRIVER,
	 "gives an indirect table a length that is not a multiple of 16 (packed ring: "
	 "packed.indirect-len)", "split.indirect-len"},
	{VS_FAULT_DEV_BLK_IOERR, "device.blk-ioerr", VS_SIDE_DEVICE,
	 "answers a block read or write with VIRTIO_BLK_S_IOERR, moving no data (allowed: no "
	 "rule; the driver must report the error)", ""},
	{VS_FAULT_DEV_BLK_USED_LEN_SHORT, "device.blk-used-len-short", VS_SIDE_DEVICE,
	 "completes a block request with a used len that stops before the status byte",
	 "blk.used-len"},
	{VS_FAULT_DEV_BLK_NO_STATUS, "device.blk-no-status", VS_SIDE_DEVICE,
	 "completes a block request without writing its status byte", "blk.status-not-written"},
	{VS_FAULT_DEV_BLK_BAD_STATUS, "device.blk-bad-status", VS_SIDE_DEVICE,
	 "writes a status byte that is not OK, IOERR or UNSUPP", "blk.status-value"},
	{VS_FAULT_DRV_BLK_BEYOND_CAPACITY, "driver.blk-beyond-capacity", VS_SIDE_DRIVER,
	 "submits a read or write past the capacity instead of refusing it",
	 "blk.beyond-capacity"},
	{VS_FAULT_DEV_CONSOLE_BAD_PORT, "device.console-bad-port", VS_SIDE_DEVICE,
	 "sends DEVICE_ADD or DEVICE_REMOVE for port max_nr_ports, which cannot exist "
	 "(the driver must ignore it)", "console.add-port-invalid"},
	{VS_FAULT_DEV_NET_NUM_BUFFERS_OVER, "device.net-num-buffers-over", VS_SIDE_DEVICE,
	 "writes a receive header whose num_buffers is larger than the buffers it used for "
	 "the packet", "net.rx-num-buffers"},
	{VS_FAULT_DEV_NET_USED_LEN_SHORT, "device.net-used-len-short", VS_SIDE_DEVICE,
	 "completes a receive buffer with a used len shorter than the virtio-net header",
	 "net.rx-used-len"},
	{VS_FAULT_DEV_NET_CTRL_BAD_ACK, "device.net-ctrl-bad-ack", VS_SIDE_DEVICE,
	 "answers a control command with an ack that is neither VIRTIO_NET_OK nor "
	 "VIRTIO_NET_ERR", "net.ctrl-ack-value"},
	{VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED, "device.net-rx-gso-unnegotiated", VS_SIDE_DEVICE,
	 "hands the driver a packet with gso_type TCPV4 although VIRTIO_NET_F_GUEST_TSO4 was "
	 "not negotiated", "net.rx-gso-unnegotiated"},
	{VS_FAULT_DRV_NET_TX_GSO_UNNEGOTIATED, "driver.net-tx-gso-unnegotiated", VS_SIDE_DRIVER,
	 "transmits a packet with gso_type TCPV4 although VIRTIO_NET_F_HOST_TSO4 was not "
	 "negotiated", "net.tx-gso-unnegotiated"},
	{VS_FAULT_DRV_NET_CTRL_UNNEGOTIATED, "driver.net-ctrl-unnegotiated", VS_SIDE_DRIVER,
	 "sends VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET although VIRTIO_NET_F_MQ was not negotiated",
	 "net.ctrl-unnegotiated"},
	{VS_FAULT_DRV_NET_TX_OVER_MTU, "driver.net-tx-over-mtu", VS_SIDE_DRIVER,
	 "transmits a frame longer than mtu plus the Ethernet header with gso_type NONE",
	 "net.tx-over-mtu"},
	{VS_FAULT_DEV_INTERRUPT_STORM, "device.interrupt-storm", VS_SIDE_DEVICE,
	 "follows a used-buffer interrupt with a burst of 64 more, with nothing new in the used "
	 "ring (the driver must not livelock)", "mmio.isr-spurious"},
	{VS_FAULT_DEV_NEEDS_RESET, "device.needs-reset", VS_SIDE_DEVICE,
	 "sets DEVICE_NEEDS_RESET (with a configuration change notification) instead of serving "
	 "a request it popped (allowed: no rule; the driver must fail the request and recover by "
	 "a reset)", ""},
	{VS_FAULT_DEV_USED_IDX_JUMP, "device.used-idx-jump", VS_SIDE_DEVICE,
	 "moves a split ring's used idx queue size + 1 past the entries it wrote and counts on "
	 "from there (split rings only)",
	 "split.used-idx-jump"},
	{VS_FAULT_DRV_CHAIN_TOO_LONG, "driver.chain-too-long", VS_SIDE_DRIVER,
	 "puts a request of more buffers than the queue size in one indirect table instead of "
	 "failing it (packed ring: packed.indirect-too-long)", "split.chain-too-long"},
	{VS_FAULT_DRV_QUEUE_SIZE_NOT_POW2, "driver.queue-size-not-pow2", VS_SIDE_DRIVER,
	 "writes a split ring's size minus 1, not a power of 2, to QueueSize (virtio-mmio; "
	 "rings of more than 2 entries); the device refuses the queue", "mmio.queue-size-pow2"},
	{VS_FAULT_DRV_NOTIFY_NOT_READY, "driver.notify-queue-not-ready", VS_SIDE_DRIVER,
	 "follows a kick with a notification of the queue after its last one, which it never "
	 "enabled (MMIO QueueNotify)", "notify.queue-not-ready"},
};

_Static_assert(sizeof(catalogue) / sizeof(catalogue[0]) == VS_FAULT_COUNT,
	       "every fault point has a catalogue row");

const struct vs_fault_info *vs_faults_catalogue(size_t *count)
{
	*count = sizeof(catalogue) / sizeof(catalogue[0]);
	return catalogue;
}

const struct vs_fault_info *vs_fault_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].name, name) == 0)
			return &catalogue[i];
	return NULL;
}
