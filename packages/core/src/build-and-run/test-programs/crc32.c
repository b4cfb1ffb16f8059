/*
 * Test program of the platform layer: the CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of a const table that
 * the linker script places in FLASH, printed as 8 hex digits, exit status 3. The test computes the expected CRC
 * in TypeScript from the same table definition.
 */
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define TABLE_BYTES 4096u

/* table[i] = (i * 31 + 7) mod 251, precomputed as a const so it lives in .rodata, not RAM. */
#define ROW(i) (uint8_t)((((i) * 31u) + 7u) % 251u)
#define ROW4(i) ROW(i), ROW((i) + 1u), ROW((i) + 2u), ROW((i) + 3u)
#define ROW16(i) ROW4(i), ROW4((i) + 4u), ROW4((i) + 8u), ROW4((i) + 12u)
#define ROW64(i) ROW16(i), ROW16((i) + 16u), ROW16((i) + 32u), ROW16((i) + 48u)
#define ROW256(i) ROW64(i), ROW64((i) + 64u), ROW64((i) + 128u), ROW64((i) + 192u)
#define ROW1024(i) ROW256(i), ROW256((i) + 256u), ROW256((i) + 512u), ROW256((i) + 768u)

const uint8_t crc_input_table[TABLE_BYTES] = {
    ROW1024(0u), ROW1024(1024u), ROW1024(2048u), ROW1024(3072u),
};

static uint32_t crc32(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) {
            const uint32_t mask = (uint32_t)0u - (crc & 1u);
            crc = (crc >> 1) ^ (0xEDB88320u & mask);
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

/* Written at run time so .bss/.data initialisation is exercised too. */
static uint32_t result_bss;
static uint32_t runs_data = 40u;

int main(void)
{
    platform_init();
    platform_marker();
    result_bss = crc32(crc_input_table, TABLE_BYTES);
    platform_marker();
    runs_data += 2u;

    char line[] = "crc32=00000000 runs=00\n";
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) line[6 + i] = digits[(result_bss >> (28 - 4 * i)) & 0xFu];
    line[20] = (char)('0' + (runs_data / 10u) % 10u);
    line[21] = (char)('0' + runs_data % 10u);
    platform_write(line, sizeof line - 1u);
    return 3;
}
