/*
 * 32-bit integer division for the lx106, which has no divide instruction. GCC calls __divsi3, __udivsi3 and
 * __umodsi3 for it, but Debian's libgcc for xtensa-lx106-elf (gcc-xtensa-lx106 12.2.0-14) ships only __modsi3 of
 * the four, so every program dividing by a variable fails to link without these. Restoring shift-subtract
 * division, written with shifts and compares only (a C division here would call itself). The ESP32-S2's LX7 has
 * a hardware divider (QUOS/QUOU/REMU); instruction counts of code that divides are higher here than there.
 */
#include <stdint.h>

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
