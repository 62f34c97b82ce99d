/* Arbitrary-precision arithmetic's allocations: numbers are heap blocks of
 * 32-bit limbs (4-36 bytes), and each operation allocates its result at its
 * widest, computes it, and shrinks it to its length with realloc, as
 * bignum libraries do; the operand it replaces is freed. Numbers are kept
 * below 2^128 (results are truncated) so that every result is checked
 * against the same arithmetic on unsigned __int128. */
#include "common.h"

#define POOL 64
#define LIMBS 4 /* numbers are below 2^(32 * LIMBS) */

struct num {
    uint32_t len; /* limbs, the top one non-zero; 0 for zero */
    uint32_t limb[];
};

typedef unsigned __int128 u128;

static struct num *alloc_num(uint32_t limbs)
{
    struct num *n = xmalloc(sizeof *n + limbs * sizeof n->limb[0]);
    n->len = limbs;
    return n;
}

/* Drops the top zero limbs and the limbs above LIMBS, and gives the block
 * back its unused end. */
static struct num *trim(struct num *n)
{
    uint32_t len = n->len < LIMBS ? n->len : LIMBS;
    while (len > 0 && n->limb[len - 1] == 0)
        len--;
    if (len == n->len)
        return n;
    n->len = len;
    struct num *m = realloc(n, sizeof *n + len * sizeof n->limb[0]);
    if (!m)
        die("realloc failed");
    return m;
}

static struct num *add(const struct num *a, const struct num *b)
{
    if (a->len < b->len) {
        const struct num *t = a;
        a = b;
        b = t;
    }
    struct num *r = alloc_num(a->len + 1);
    uint64_t carry = 0;
    for (uint32_t i = 0; i < a->len; i++) {
        carry += (uint64_t)a->limb[i] + (i < b->len ? b->limb[i] : 0);
        r->limb[i] = (uint32_t)carry;
        carry >>= 32;
    }
    r->limb[a->len] = (uint32_t)carry;
    return trim(r);
}

static struct num *mul(const struct num *a, const struct num *b)
{
    struct num *r = alloc_num(a->len + b->len);
    memset(r->limb, 0, r->len * sizeof r->limb[0]);
    for (uint32_t i = 0; i < a->len; i++) {
        uint64_t carry = 0;
        for (uint32_t j = 0; j < b->len; j++) {
            carry += (uint64_t)a->limb[i] * b->limb[j] + r->limb[i + j];
            r->limb[i + j] = (uint32_t)carry;
            carry >>= 32;
        }
        r->limb[i + b->len] = (uint32_t)carry;
    }
    return trim(r);
}

static struct num *shift_right(const struct num *a, unsigned bits)
{
    uint32_t skip = bits / 32, sh = bits % 32;
    struct num *r = alloc_num(a->len > skip ? a->len - skip : 0);
    for (uint32_t i = 0; i < r->len; i++) {
        uint64_t two = a->limb[i + skip];
        if (i + skip + 1 < a->len)
            two |= (uint64_t)a->limb[i + skip + 1] << 32;
        r->limb[i] = (uint32_t)(two >> sh);
    }
    return trim(r);
}

static u128 value(const struct num *n)
{
    if (n->len > LIMBS)
        die("number too long");
    u128 v = 0;
    for (uint32_t i = n->len; i-- > 0;)
        v = v << 32 | n->limb[i];
    return v;
}

static struct num *from_value(u128 v)
{
    struct num *n = alloc_num(LIMBS);
    for (int i = 0; i < LIMBS; i++)
        n->limb[i] = (uint32_t)(v >> (32 * i));
    return trim(n);
}

int main(int argc, char **argv)
{
    size_t steps = scaled(arg_scale(argc, argv), 4e6, 1000);
    struct num *pool[POOL];
    u128 shadow[POOL];
    uint64_t s = 31337;
    for (int i = 0; i < POOL; i++) {
        shadow[i] = (u128)rnd(&s) << 64 | rnd(&s);
        shadow[i] >>= rnd(&s) % 128;
        pool[i] = from_value(shadow[i]);
    }
    size_t live = 0;
    double t0 = now_s();
    for (size_t i = 0; i < steps; i++) {
        uint64_t r = rnd(&s);
        unsigned a = r % POOL, b = (r >> 8) % POOL, k = (r >> 16) % POOL, op = (r >> 24) % 3;
        struct num *n;
        u128 v;
        if (op == 0) {
            n = add(pool[a], pool[b]);
            v = shadow[a] + shadow[b];
        } else if (op == 1) {
            n = mul(pool[a], pool[b]);
            v = shadow[a] * shadow[b];
        } else {
            unsigned bits = (r >> 32) % 128;
            n = shift_right(pool[a], bits);
            v = shadow[a] >> bits;
        }
        if (value(n) != v)
            die("wrong result");
        free(pool[k]);
        pool[k] = n;
        shadow[k] = v;
    }
    double t = now_s() - t0;
    for (int i = 0; i < POOL; i++) {
        if (value(pool[i]) != shadow[i])
            die("number changed");
        live += sizeof *pool[i] + pool[i]->len * sizeof pool[i]->limb[0];
        free(pool[i]);
    }
    report(t, live);
    return 0;
}
