/*
 * side.h - who made an access: the guest driver, the device, or the harness
 * itself (the monitor peeking, a scenario step poking).  Every bus access,
 * arena access and violation carries one, so the monitor can say which side
 * broke a rule.
 */
#ifndef VS_SIDE_H
#define VS_SIDE_H

enum vs_side {
	VS_SIDE_DRIVER = 0,
	VS_SIDE_DEVICE = 1,
	VS_SIDE_HARNESS = 2,
};

static inline const char *vs_side_name(enum vs_side s)
{
	switch (s) {
	case VS_SIDE_DRIVER:
		return "driver";
	case VS_SIDE_DEVICE:
		return "device";
	default:
		return "harness";
	}
}

#endif /* VS_SIDE_H */
