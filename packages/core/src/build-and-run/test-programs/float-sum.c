/*
 * Test program: single-precision arithmetic through the FPU (Cortex-M4F/M7, enabled by the reset code) or soft
 * float (RV32IMC). With -ffp-contract=off every target rounds each operation the same, so the bits printed must
 * equal IEEE-754 binary32 evaluation (Math.fround in the test) everywhere.
 */
#include <stdint.h>
#include <string.h>

#include "platform.h"

int main(void)
{
    platform_init();
    volatile float step = 0.1f;
    float sum = 0.0f;
    for (int i = 0; i < 1000; ++i) sum = sum * 0.999f + step * (float)i;
    uint32_t bits;
    memcpy(&bits, &sum, sizeof bits);
    static const char digits[] = "0123456789abcdef";
    char line[] = "bits=00000000\n";
    for (int i = 0; i < 8; ++i) line[5 + i] = digits[(bits >> (28 - 4 * i)) & 0xFu];
    platform_write(line, sizeof line - 1u);
    return 0;
}
