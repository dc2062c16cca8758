/*
 * prng.c - xoshiro256** seeded through splitmix64.
 *
 * Runs on every random choice a device model, the fault switches or the
 * fuzzer make, so it is a handful of shifts and no allocation.  A stream is
 * seeded from (machine seed, stream name): the name is hashed with 64-bit
 * FNV-1a and folded into the seed before splitmix64 expands it to the four
 * state words, so each consumer's numbers depend only on its own name.
 */
#include "core/prng.h"

static uint64_t rotl64(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64u - k));
}

/* One splitmix64 step: advances *x and returns a well-mixed word.  The
 * output function is a bijection, so four consecutive outputs are never all
 * zero and xoshiro's all-zero state cannot occur. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void vs_prng_seed(struct vs_prng *p, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&x);
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; s && *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

void vs_prng_seed_stream(struct vs_prng *p, uint64_t seed, const char *stream)
{
	/* Mix the seed first so that (seed, name) pairs whose raw XOR would
	 * collide (seed ^ hash) still land on different states in practice. */
	uint64_t x = seed;
	uint64_t mixed = splitmix64(&x);

	vs_prng_seed(p, mixed ^ fnv1a64(stream));
}

uint64_t vs_prng_next(struct vs_prng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl64(s[1] * 5u, 7) * 9u;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

uint64_t vs_prng_below(struct vs_prng *p, uint64_t bound)
{
	if (bound == 0)
		return 0;
	/* Reject the lowest (2^64 mod bound) values: what is left is a whole
	 * number of copies of [0, bound), so the remainder is unbiased.  At
	 * most half the draws are rejected, usually almost none. */
	uint64_t threshold = (0 - bound) % bound;

	for (;;) {
		uint64_t r = vs_prng_next(p);

		if (r >= threshold)
			return r % bound;
	}
}

int vs_prng_chance(struct vs_prng *p, uint32_t num, uint32_t den)
{
	/* Every call with den > 0 draws, whatever num is, so turning a
	 * probability up or down never shifts the stream's later numbers. */
	if (den == 0)
		return 0;
	return vs_prng_below(p, den) < num;
}

void vs_prng_fill(struct vs_prng *p, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len > 0) {
		uint64_t v = vs_prng_next(p);
		size_t n = len < 8 ? len : 8;

		for (size_t i = 0; i < n; i++) {
			b[i] = (uint8_t)v;
			v >>= 8;
		}
		b += n;
		len -= n;
	}
}
