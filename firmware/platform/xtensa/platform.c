/*
 * Xtensa lx106 on QEMU's sim machine: reset, exceptions and the console. QEMU implements the Xtensa ISS
 * semihosting interface (SIMCALL with the call number in a2 and arguments in a3..a5: exit = 1, write = 4), not
 * the ARM one the other emulated targets share, so this file replaces semihosting-console.c.
 */
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "platform-internal.h"

#define XTENSA_SIM_EXIT 1
#define XTENSA_SIM_WRITE 4

extern uint8_t __data_start[], __data_end[], __data_load[];
extern uint8_t __bss_start[], __bss_end[];
_Noreturn void reset_c(void);
_Noreturn void exception_c(uint32_t exccause, uint32_t epc1, uint32_t excvaddr);

static int32_t simcall(int32_t call, int32_t a, int32_t b, int32_t c)
{
    register int32_t a2 __asm__("a2") = call;
    register int32_t a3 __asm__("a3") = a;
    register int32_t a4 __asm__("a4") = b;
    register int32_t a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

_Noreturn void reset_c(void)
{
    memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
    /* Debian's Xtensa picolibc is built without thread-local storage: errno is a plain global in .bss. */
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    platform_exit(main());
}

_Noreturn void exception_c(uint32_t exccause, uint32_t epc1, uint32_t excvaddr)
{
    char hex[9];
    platform_format_hex32(epc1, hex);
    platform_report_fault("platform: exception at epc1=0x");
    platform_report_fault(hex);
    platform_format_hex32(excvaddr, hex);
    platform_report_fault(" excvaddr=0x");
    platform_report_fault(hex);
    platform_report_fault("\n");
    platform_fault("exception", "exccause", exccause);
}

void platform_console_open(void)
{
    /* fd 1 is QEMU's own stdout: nothing to open. */
}

void platform_init(void)
{
}

void platform_write(const char *data, size_t len)
{
    if (len != 0u) (void)simcall(XTENSA_SIM_WRITE, 1, (int32_t)(uintptr_t)data, (int32_t)len);
}

void platform_puts(const char *text)
{
    platform_write(text, strlen(text));
}

_Noreturn void platform_exit(int code)
{
    (void)simcall(XTENSA_SIM_EXIT, code, 0, 0);
    for (;;) {
        /* Not reached under QEMU. */
    }
}

/* Faults go to fd 2, QEMU's stderr: the program's stdout stays clean. */
void platform_report_fault(const char *text)
{
    (void)simcall(XTENSA_SIM_WRITE, 2, (int32_t)(uintptr_t)text, (int32_t)strlen(text));
}

uint32_t platform_cycles(void)
{
    /* CCOUNT; QEMU derives it from host time, so it is only an estimate there. */
    uint32_t cycles;
    __asm__ volatile("rsr %0, ccount" : "=r"(cycles));
    return cycles;
}
