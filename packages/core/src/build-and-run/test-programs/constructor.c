/* Test program: a static constructor, which the startup code does not run, must be refused at link time. */
#include <stdint.h>

#include "platform.h"

static volatile uint32_t initialised;

__attribute__((constructor)) static void initialise(void)
{
    initialised = 1u;
}

int main(void)
{
    platform_init();
    return (int)initialised;
}
