/* Test program: an undefined-instruction trap after some output; the fault handler must report it and exit 250. */
#include "platform.h"

int main(void)
{
    platform_init();
    platform_puts("before the fault\n");
    __builtin_trap();
}
