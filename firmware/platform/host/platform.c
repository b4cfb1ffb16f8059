/* The host build: the same platform.h over stdio, so sanitizers can check the firmware code natively. */
#define _POSIX_C_SOURCE 199309L

#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void platform_init(void)
{
    /* Unbuffered, so output written before a sanitizer report is not lost when the process aborts. */
    setvbuf(stdout, NULL, _IONBF, 0);
}

void platform_write(const char *data, size_t len)
{
    if (len > 0u) (void)fwrite(data, 1, len, stdout);
}

void platform_puts(const char *text)
{
    platform_write(text, strlen(text));
}

_Noreturn void platform_exit(int code)
{
    (void)fflush(stdout);
    exit(code);
}

uint32_t platform_cycles(void)
{
    /* Nanoseconds of process CPU time, truncated: a host has no meaningful cycle count. */
    struct timespec now;
    (void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (uint32_t)((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
}
