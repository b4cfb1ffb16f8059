/*
 * The console and exit of every semihosted target: the part of platform.h that does not depend on the
 * architecture, only on semihosting_call().
 */
#include "platform.h"
#include "platform-internal.h"
#include "semihosting.h"

#include <string.h>

static intptr_t console_handle = -1;

static void open_console(void)
{
    static const char tt[] = ":tt";
    /* SYS_WRITE0 would go to QEMU's stderr; a :tt handle opened for writing is the host's real stdout. */
    const uintptr_t block[3] = {(uintptr_t)tt, SEMIHOSTING_OPEN_MODE_WRITE, sizeof tt - 1u};
    console_handle = (intptr_t)semihosting_call(SEMIHOSTING_SYS_OPEN, (uintptr_t)block);
}

void platform_console_open(void)
{
    if (console_handle < 0) open_console();
}

void platform_write(const char *data, size_t len)
{
    platform_console_open();
    if (len == 0u) return;
    const uintptr_t block[3] = {(uintptr_t)console_handle, (uintptr_t)data, (uintptr_t)len};
    (void)semihosting_call(SEMIHOSTING_SYS_WRITE, (uintptr_t)block);
}

void platform_puts(const char *text)
{
    platform_write(text, strlen(text));
}

_Noreturn void platform_exit(int code)
{
    /* SYS_EXIT on a 32-bit core carries only a reason, so the status needs the extended call. */
    const uintptr_t block[2] = {SEMIHOSTING_ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(uint32_t)code};
    (void)semihosting_call(SEMIHOSTING_SYS_EXIT_EXTENDED, (uintptr_t)block);
    for (;;) {
        /* Not reached under an emulator; on a real board without a debugger there is nowhere to return to. */
    }
}

/* Fault handlers report through SYS_WRITE0, which QEMU sends to its stderr: the program's stdout stays clean. */
void platform_report_fault(const char *what)
{
    (void)semihosting_call(SEMIHOSTING_SYS_WRITE0, (uintptr_t)what);
}
