/* Test program for the host board: a read one past a stack array, which AddressSanitizer must catch. */
#include <stdint.h>

#include "platform.h"

int main(void)
{
    platform_init();
    int8_t window[16] = {0};
    volatile int index = 16;
    return window[index];
}
