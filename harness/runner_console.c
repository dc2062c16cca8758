/*
 * runner_console.c - the console.* steps (see runner_console.h): each is
 * one harness action on the device side (devices/console.h: plug a port,
 * inject input, resize) or on the guest side (driver/guest.h: open, write,
 * read, emergency write), then, once the machine settled, a look at what
 * the other side made of it: the device's captured output, the driver's
 * view of a port.
 */
#include "harness/runner_console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/vdev.h"
#include "driver/guest.h"

/* The driver is live and speaks the multiport protocol with the device. */
static int live_multiport(struct vs_machine_dev *md)
{
	return md->handle >= 0 && (vs_vdev_status_peek(md->vdev) & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       vs_vdev_has_feature(md->vdev, VIRTIO_CONSOLE_F_MULTIPORT);
}

/* Take every byte the device captured on port and compare it with want
 * repeated reps times. */
static void check_output(struct vs_machine_dev *md, uint32_t port, const uint8_t *want,
			 size_t wlen, uint32_t reps, char *mismatch, size_t len)
{
	int64_t n = vs_console_output_len(md->vdev, port);
	size_t total = wlen * reps, i;
	uint8_t *got;

	if (n < 0) {
		snprintf(mismatch, len, "cannot read the device's output (%d)", (int)n);
		return;
	}
	got = malloc(n ? (size_t)n : 1);
	if (!got) {
		snprintf(mismatch, len, "out of memory");
		return;
	}
	n = vs_console_output_take(md->vdev, port, got, (size_t)n);
	for (i = 0; i < (size_t)n && i < total; i++)
		if (got[i] != want[i % wlen])
			break;
	if (i < (size_t)n && i < total)
		snprintf(mismatch, len, "device output differs at byte %zu: 0x%02x, expected 0x%02x",
			 i, got[i], want[i % wlen]);
	else if ((size_t)n != total)
		snprintf(mismatch, len, "device output is %lld bytes, expected %zu", (long long)n,
			 total);
	free(got);
}

static int step_hot_add(struct vs_machine *m, struct vs_machine_dev *md,
			const struct vs_scn_step *st, char *mismatch, size_t len)
{
	struct vs_guest_console_port info;
	int rc;

	rc = vs_console_port_add(md->vdev, st->port, st->port_name, st->console_port);
	if (rc < 0 || !live_multiport(md))
		return rc;
	vs_machine_settle(m);
	rc = vs_guest_console_port_info(md->handle, st->port, &info);
	if (rc < 0)
		return rc; /* the driver did not take the port */
	if (strcmp(info.name, st->port_name) != 0)
		snprintf(mismatch, len, "the driver names the port \"%s\", expected \"%s\"",
			 info.name, st->port_name);
	else if (info.console != (st->console_port != 0))
		snprintf(mismatch, len, "the driver %s it a console port",
			 info.console ? "made" : "did not make");
	return 0;
}

static int step_remove_port(struct vs_machine *m, struct vs_machine_dev *md,
			    const struct vs_scn_step *st)
{
	struct vs_guest_console_port info;
	int rc = vs_console_port_remove(md->vdev, st->port);

	if (rc < 0 || !live_multiport(md))
		return rc;
	vs_machine_settle(m);
	/* The driver still having the port is this step failing. */
	return vs_guest_console_port_info(md->handle, st->port, &info) == 0 ? -EBUSY : 0;
}

static int step_open(struct vs_machine *m, struct vs_machine_dev *md,
		     const struct vs_scn_step *st, char *mismatch, size_t len)
{
	int open = st->op == VS_STEP_CONSOLE_OPEN;
	struct vs_console_port_state ps;
	int rc;

	rc = open ? vs_guest_console_open(md->handle, st->port)
		  : vs_guest_console_close(md->handle, st->port);
	if (rc < 0 || !live_multiport(md))
		return rc;
	vs_machine_settle(m);
	if (vs_console_port_state(md->vdev, st->port, &ps) == 0 && ps.guest_open != open)
		snprintf(mismatch, len, "the device sees the port %s", ps.guest_open ? "open" : "closed");
	return 0;
}

static int step_write(struct vs_machine *m, struct vs_machine_dev *md,
		      const struct vs_scn_step *st, char *mismatch, size_t len)
{
	long rc;

	for (uint32_t k = 0; k < st->count; k++) {
		rc = st->op == VS_STEP_CONSOLE_WRITE
			     ? vs_guest_console_write(md->handle, st->port, st->data, st->data_len)
			     : vs_guest_console_emerg_write(md->handle, st->data, st->data_len);
		if (rc < 0)
			return (int)rc;
		if (rc != (long)st->data_len) {
			snprintf(mismatch, len, "write #%u took %ld of %u bytes", k, rc, st->data_len);
			return 0;
		}
	}
	vs_machine_settle(m);
	if (!st->check)
		return 0;
	if (st->expect_given)
		check_output(md, st->port, st->expect_out, st->expect_len, 1, mismatch, len);
	else
		check_output(md, st->op == VS_STEP_CONSOLE_WRITE ? st->port : 0, st->data,
			     st->data_len, st->count, mismatch, len);
	return 0;
}

static int step_read(struct vs_machine_dev *md, const struct vs_scn_step *st, char *mismatch,
		     size_t len)
{
	uint8_t *got = malloc(st->data_len);
	uint32_t have = 0;
	long rc = 0;

	if (!got)
		return -ENOMEM;
	while (have < st->data_len) {
		rc = vs_guest_console_read(md->handle, st->port, got + have, st->data_len - have, 1);
		if (rc <= 0)
			break;
		have += (uint32_t)rc;
	}
	if (have == st->data_len && memcmp(got, st->data, have) != 0) {
		uint32_t i = 0;

		while (got[i] == st->data[i])
			i++;
		snprintf(mismatch, len, "read differs at byte %u: 0x%02x, expected 0x%02x", i,
			 got[i], st->data[i]);
	}
	free(got);
	if (have == st->data_len)
		return 0;
	return rc < 0 ? (int)rc : -ENODATA;
}

static int step_resize(struct vs_machine *m, struct vs_machine_dev *md,
		       const struct vs_scn_step *st, char *mismatch, size_t len)
{
	struct vs_guest_console_port info;
	int rc = vs_console_resize(md->vdev, st->port, st->cols, st->rows);

	if (rc < 0 || md->handle < 0 ||
	    !(vs_vdev_status_peek(md->vdev) & VIRTIO_CONFIG_S_DRIVER_OK))
		return rc;
	/* Only a driver that negotiated a way to learn the size can know it. */
	if (!vs_vdev_has_feature(md->vdev, VIRTIO_CONSOLE_F_MULTIPORT) &&
	    !vs_vdev_has_feature(md->vdev, VIRTIO_CONSOLE_F_SIZE))
		return 0;
	vs_machine_settle(m);
	rc = vs_guest_console_port_info(md->handle, st->port, &info);
	if (rc < 0)
		return rc;
	if (info.cols != st->cols || info.rows != st->rows)
		snprintf(mismatch, len, "the driver has size %ux%u, expected %ux%u", info.cols,
			 info.rows, st->cols, st->rows);
	return 0;
}

int vs__run_console_step(struct vs_machine *m, struct vs_machine_dev *md,
			 const struct vs_scn_step *st, char *mismatch, size_t len)
{
	int rc;

	mismatch[0] = 0;
	switch (st->op) {
	case VS_STEP_CONSOLE_HOT_ADD:
		return step_hot_add(m, md, st, mismatch, len);
	case VS_STEP_CONSOLE_REMOVE_PORT:
		return step_remove_port(m, md, st);
	case VS_STEP_CONSOLE_RESIZE:
		return step_resize(m, md, st, mismatch, len);
	case VS_STEP_CONSOLE_INPUT:
		for (uint32_t k = 0; k < st->count; k++) {
			rc = vs_console_input(md->vdev, st->port, st->data, st->data_len);
			if (rc < 0)
				return rc;
		}
		return 0;
	default:
		break;
	}
	/* the rest act on the guest side */
	if (md->handle < 0) {
		snprintf(mismatch, len, "device is not probed");
		return -ENODEV;
	}
	switch (st->op) {
	case VS_STEP_CONSOLE_OPEN:
	case VS_STEP_CONSOLE_CLOSE:
		return step_open(m, md, st, mismatch, len);
	case VS_STEP_CONSOLE_WRITE:
	case VS_STEP_CONSOLE_EMERG_WRITE:
		return step_write(m, md, st, mismatch, len);
	case VS_STEP_CONSOLE_READ:
		return step_read(md, st, mismatch, len);
	default:
		return -EINVAL;
	}
}
