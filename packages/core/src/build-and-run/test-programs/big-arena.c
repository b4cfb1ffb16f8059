/* Test program: an arena larger than the board's RAM must fail at link time, not at run time. */
#include <stdint.h>

#include "platform.h"

#ifndef ARENA_BYTES
#error "define ARENA_BYTES"
#endif

int8_t tinyml_arena[ARENA_BYTES];

int main(void)
{
    platform_init();
    for (uint32_t i = 0; i < (uint32_t)ARENA_BYTES; i += 4096u) tinyml_arena[i] = (int8_t)(i & 0x7Fu);
    return tinyml_arena[ARENA_BYTES / 2] == 0 ? 0 : 1;
}
