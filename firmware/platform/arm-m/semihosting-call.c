/* Semihosting on Cortex-M: BKPT 0xAB with the operation in r0 and its parameter in r1; the result returns in r0. */
#include "semihosting.h"

uintptr_t semihosting_call(uint32_t operation, uintptr_t parameter)
{
    register uintptr_t r0 __asm__("r0") = operation;
    register uintptr_t r1 __asm__("r1") = parameter;
    /* The host reads (and for SYS_OPEN/SYS_WRITE writes) the block r1 points at: memory clobber. */
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
