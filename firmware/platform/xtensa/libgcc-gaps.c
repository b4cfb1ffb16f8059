/*
 * Integer routines GCC calls on the lx106 that Debian's libgcc for xtensa-lx106-elf (gcc-xtensa-lx106 12.2.0-14)
 * lacks: of libgcc's Xtensa assembly routines it ships __mulsi3 and __modsi3 but not __divsi3, __udivsi3,
 * __umodsi3, __umulsidi3 or __muldi3, nor __divdi3 / __udivdi3 / __umoddi3 (nor any soft-float routine), so every
 * program that divides by a variable or multiplies in 64 bits fails to link without these. Written with 32-bit
 * multiplies, shifts and compares only: a C division or 64-bit product here would call itself.
 *
 * The lx106 has neither a divider nor a 32×32→64 multiply (MULUH/MULSH), so these run as calls; the ESP32-S2's LX7
 * has both (QUOU/REMU, MULSH), where GCC inlines them. Instruction counts of the requantisation (an int64 product
 * per output) are therefore higher here than on the LX7.
 */
#include <stdint.h>

uint64_t __umulsidi3(uint32_t a, uint32_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);
int64_t __divdi3(int64_t dividend, int64_t divisor);
uint64_t __udivdi3(uint64_t dividend, uint64_t divisor);
uint64_t __umoddi3(uint64_t dividend, uint64_t divisor);
/* These two generic C routines ARE in Debian's libgcc; the 64-bit divisions below are their thin wrappers. */
int64_t __divmoddi4(int64_t dividend, int64_t divisor, int64_t *remainder);
uint64_t __udivmoddi4(uint64_t dividend, uint64_t divisor, uint64_t *remainder);
uint32_t __udivsi3(uint32_t dividend, uint32_t divisor);
uint32_t __umodsi3(uint32_t dividend, uint32_t divisor);
int32_t __divsi3(int32_t dividend, int32_t divisor);

static uint32_t divide(uint32_t dividend, uint32_t divisor, uint32_t *remainder)
{
    uint32_t quotient = 0;
    uint32_t rest = 0;
    if (divisor == 0u) {
        /* C leaves it undefined; GCC's libgcc returns all ones on Xtensa cores without a divider. */
        *remainder = dividend;
        return UINT32_MAX;
    }
    for (int32_t bit = 31; bit >= 0; bit--) {
        rest = (rest << 1) | ((dividend >> bit) & 1u);
        if (rest >= divisor) {
            rest -= divisor;
            quotient |= UINT32_C(1) << bit;
        }
    }
    *remainder = rest;
    return quotient;
}

uint32_t __udivsi3(uint32_t dividend, uint32_t divisor)
{
    uint32_t remainder;
    return divide(dividend, divisor, &remainder);
}

uint32_t __umodsi3(uint32_t dividend, uint32_t divisor)
{
    uint32_t remainder;
    (void)divide(dividend, divisor, &remainder);
    return remainder;
}

int32_t __divsi3(int32_t dividend, int32_t divisor)
{
    const uint32_t magnitude = dividend < 0 ? 0u - (uint32_t)dividend : (uint32_t)dividend;
    const uint32_t by = divisor < 0 ? 0u - (uint32_t)divisor : (uint32_t)divisor;
    uint32_t remainder;
    const uint32_t quotient = divide(magnitude, by, &remainder);
    /* Truncation toward zero; INT32_MIN / -1 wraps as the hardware would. */
    return (int32_t)((dividend < 0) != (divisor < 0) ? 0u - quotient : quotient);
}

/* The 32×32→64 product from 16-bit halves (libgcc's own __udivmoddi4 needs it too). */
uint64_t __umulsidi3(uint32_t a, uint32_t b)
{
    const uint32_t a0 = a & 0xffffu, a1 = a >> 16;
    const uint32_t b0 = b & 0xffffu, b1 = b >> 16;
    const uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint32_t middle = (p00 >> 16) + (p01 & 0xffffu) + (p10 & 0xffffu);
    const uint32_t low = (middle << 16) | (p00 & 0xffffu);
    const uint32_t high = p11 + (p01 >> 16) + (p10 >> 16) + (middle >> 16);
    return ((uint64_t)high << 32) | low;
}

/* The low 64 bits of a · b: the low words' full product plus the cross terms' low words in the high word. */
uint64_t __muldi3(uint64_t a, uint64_t b)
{
    const uint32_t a_low = (uint32_t)a;
    const uint32_t b_low = (uint32_t)b;
    const uint32_t cross = a_low * (uint32_t)(b >> 32) + (uint32_t)(a >> 32) * b_low;
    return __umulsidi3(a_low, b_low) + ((uint64_t)cross << 32);
}

int64_t __divdi3(int64_t dividend, int64_t divisor)
{
    int64_t remainder;
    return __divmoddi4(dividend, divisor, &remainder);
}

uint64_t __udivdi3(uint64_t dividend, uint64_t divisor)
{
    uint64_t remainder;
    return __udivmoddi4(dividend, divisor, &remainder);
}

uint64_t __umoddi3(uint64_t dividend, uint64_t divisor)
{
    uint64_t remainder;
    (void)__udivmoddi4(dividend, divisor, &remainder);
    return remainder;
}
