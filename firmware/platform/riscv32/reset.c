/* C side of RV32 reset and trap handling (entry code in start.S). */
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "platform-internal.h"

extern uint8_t __data_start[], __data_end[], __data_load[];
extern uint8_t __bss_start[], __bss_end[];
extern uint8_t __tls_base[];

/* picolibc keeps errno and friends in thread-local storage (tp): the single thread's block is .tdata/.tbss. */
void _set_tls(void *tls);

_Noreturn void reset_c(void);
_Noreturn void trap_c(uint32_t mcause, uint32_t mepc, uint32_t mtval);

_Noreturn void reset_c(void)
{
    memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    _set_tls(__tls_base);
    platform_exit(main());
}

_Noreturn void trap_c(uint32_t mcause, uint32_t mepc, uint32_t mtval)
{
    char hex[9];
    platform_format_hex32(mepc, hex);
    platform_report_fault("platform: trap at mepc=0x");
    platform_report_fault(hex);
    platform_format_hex32(mtval, hex);
    platform_report_fault(" mtval=0x");
    platform_report_fault(hex);
    platform_report_fault("\n");
    platform_fault("trap", "mcause", mcause);
}

void platform_init(void)
{
    platform_console_open();
}

uint32_t platform_cycles(void)
{
    /* mcycle on silicon; QEMU derives it from host time, so it is only an estimate there. */
    uint32_t cycles;
    __asm__ volatile("csrr %0, mcycle" : "=r"(cycles));
    return cycles;
}
