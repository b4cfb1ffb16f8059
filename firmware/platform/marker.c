/* The instruction-count marker: its address is what the emulator runner watches (see platform.h). */
#include "platform.h"

__attribute__((noinline)) void platform_marker(void)
{
    /* The barrier keeps calls from being merged or moved across the code being measured. */
    __asm__ volatile("" ::: "memory");
}
