/* Test program: constants larger than the board's flash must fail at link time. */
#include <stdint.h>

#include "platform.h"

#ifndef BLOB_BYTES
#error "define BLOB_BYTES"
#endif

const uint8_t tinyml_model_blob[BLOB_BYTES] = {1};

int main(void)
{
    platform_init();
    /* A volatile index keeps the compiler from folding the read and dropping the blob. */
    volatile uint32_t index = BLOB_BYTES - 1u;
    return tinyml_model_blob[index];
}
