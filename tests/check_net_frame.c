/*
 * check_net_frame.c - the runner's test frames (harness/net_frame.c):
 * they carry their identity, partial checksums complete to the full
 * ones, and a TSO frame's segments are recognised with their offsets.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "driver/guest.h"
#include "harness/net_frame.h"

static struct vs_net_frame_desc desc(enum vs_net_frame_kind kind, uint32_t seq, uint32_t size,
				     int vlan)
{
	struct vs_net_frame_desc d = {.seq = seq, .size = size, .kind = kind, .vlan = vlan,
				      .gso_size = 1448,
				      .dst = {0x52, 0x54, 0, 0x12, 0x34, 0x56},
				      .src = {0x02, 0, 0, 0, 0, 1}};
	return d;
}

START_TEST(raw_frames_identify_and_differ_by_seq)
{
	struct vs_net_frame_desc a = desc(VS_NET_FRAME_RAW, 7, 100, -1), b = a;
	uint8_t fa[100], fb[100];
	struct vs_net_frame_id id;

	b.seq = 8;
	vs_net_frame_build(&a, fa, NULL, 1);
	vs_net_frame_build(&b, fb, NULL, 1);
	ck_assert_int_eq(fa[12], 0x88);
	ck_assert_int_eq(fa[13], 0xb5);
	ck_assert_int_ne(memcmp(fa + 22, fb + 22, 78), 0);
	ck_assert_int_eq(vs_net_frame_identify(fa, sizeof(fa), &id), 0);
	ck_assert_int_eq(id.test, 1);
	ck_assert_int_eq(id.kind, VS_NET_FRAME_RAW);
	ck_assert_uint_eq(id.seq, 7);
	a.vlan = 300;
	vs_net_frame_build(&a, fa, NULL, 1);
	ck_assert_int_eq(fa[12], 0x81);
	ck_assert_int_eq(fa[15], 300 & 0xff);
	ck_assert_int_eq(vs_net_frame_identify(fa, sizeof(fa), &id), 0);
	ck_assert_uint_eq(id.seq, 7);
	memset(fa + 12, 0x08, 1); /* another ethertype: not ours */
	fa[13] = 0x06;
	ck_assert_int_eq(vs_net_frame_identify(fa, sizeof(fa), &id), 0);
	ck_assert_int_eq(id.test, 0);
}
END_TEST

START_TEST(partial_checksum_completes_to_the_full_one)
{
	struct vs_net_frame_desc d = desc(VS_NET_FRAME_CSUM, 3, 301, -1);
	struct vs_guest_net_offload off;
	uint8_t partial[301], full[301];
	struct vs_net_frame_id id;

	vs_net_frame_build(&d, partial, &off, 0);
	vs_net_frame_build(&d, full, NULL, 1);
	ck_assert_int_eq(off.needs_csum, 1);
	ck_assert_uint_eq(off.csum_start, 34);
	ck_assert_uint_eq(off.csum_offset, 6);
	ck_assert_uint_eq(off.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_int_eq(vs_net_frame_csums_ok(full, sizeof(full)), 1);
	ck_assert_int_eq(vs_net_frame_csums_ok(partial, sizeof(partial)), 0);
	ck_assert_int_eq(vs_net_frame_complete_csum(partial, sizeof(partial), off.csum_start,
						    off.csum_offset), 0);
	ck_assert_int_eq(memcmp(partial, full, sizeof(full)), 0);
	ck_assert_int_eq(vs_net_frame_complete_csum(partial, sizeof(partial), 300, 0), -EINVAL);
	ck_assert_int_eq(vs_net_frame_identify(full, sizeof(full), &id), 0);
	ck_assert_int_eq(id.kind, VS_NET_FRAME_CSUM);
	ck_assert_uint_eq(id.seq, 3);
	full[40] ^= 1; /* a payload bit flips: the UDP checksum no longer holds */
	ck_assert_int_eq(vs_net_frame_csums_ok(full, sizeof(full)), 0);
	ck_assert_int_eq(vs_net_frame_identify(full, 200, &id), -EBADMSG);
}
END_TEST

START_TEST(tso_frame_and_its_segments)
{
	struct vs_net_frame_desc d = desc(VS_NET_FRAME_TSO4, 5000, 14 + 40 + 3000, -1);
	struct vs_guest_net_offload off;
	uint8_t *f = malloc(d.size);
	struct vs_net_frame_id id;

	vs_net_frame_build(&d, f, &off, 0);
	ck_assert_uint_eq(off.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(off.gso_size, 1448);
	ck_assert_uint_eq(off.hdr_len, 54);
	ck_assert_uint_eq(off.csum_offset, 16);
	ck_assert_int_eq(vs_net_frame_identify(f, d.size, &id), 0);
	ck_assert_int_eq(id.kind, VS_NET_FRAME_TSO4);
	ck_assert_uint_eq(id.seq, 5000);
	ck_assert_uint_eq(id.offset, 0);
	ck_assert_uint_eq(id.payload_len, 3000);
	/* A segment at payload offset 1448: sequence number moves, lengths shrink. */
	/* The TCP sequence number is bytes 38..41. */
	{
		uint32_t seq = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];

		seq += 1448;
		f[38] = (uint8_t)(seq >> 24);
		f[39] = (uint8_t)(seq >> 16);
		f[40] = (uint8_t)(seq >> 8);
		f[41] = (uint8_t)seq;
		f[16] = (uint8_t)((40 + 100) >> 8);
		f[17] = (uint8_t)(40 + 100);
	}
	ck_assert_int_eq(vs_net_frame_identify(f, 14 + 40 + 100, &id), 0);
	ck_assert_uint_eq(id.seq, 5000);
	ck_assert_uint_eq(id.offset, 1448);
	ck_assert_uint_eq(id.payload_len, 100);
	d.size = 14 + 40 + 1448; /* fits one segment: no GSO */
	vs_net_frame_build(&d, f, &off, 0);
	ck_assert_uint_eq(off.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_int_eq(off.needs_csum, 1);
	free(f);
}
END_TEST

static Suite *net_frame_suite(void)
{
	Suite *s = suite_create("net_frame");
	TCase *tc = tcase_create("Frames");

	tcase_add_test(tc, raw_frames_identify_and_differ_by_seq);
	tcase_add_test(tc, partial_checksum_completes_to_the_full_one);
	tcase_add_test(tc, tso_frame_and_its_segments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
