/* Test program: never exits, so the runner's timeout must kill the emulator. */
#include <stdint.h>

#include "platform.h"

int main(void)
{
    platform_init();
    volatile uint32_t spins = 0;
    for (;;) spins = spins + 1u;
}
