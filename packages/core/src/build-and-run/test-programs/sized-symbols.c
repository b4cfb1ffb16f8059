/* Test program: symbols of known sizes, which the size/map parsers must report byte for byte. */
#include <stdint.h>

#include "platform.h"

const uint8_t tinyml_model_blob[1234] = {1, 2, 3};
int8_t tinyml_arena[4000] __attribute__((aligned(16)));
int32_t tinyml_counters[5] = {1, 2, 3, 4, 5};

int main(void)
{
    platform_init();
    uint32_t sum = 0;
    for (uint32_t i = 0; i < sizeof tinyml_model_blob; ++i) sum += tinyml_model_blob[i];
    tinyml_arena[sum % sizeof tinyml_arena] = (int8_t)tinyml_counters[sum % 5u];
    return (int)(sum & 0x7Fu) + tinyml_arena[6];
}
