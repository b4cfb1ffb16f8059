/*
 * Reset and exception entry for Cortex-M4F and Cortex-M7 (ARMv7E-M). The linker script (flash/linker-script.ts)
 * places .isr_vector at the start of FLASH, where the core reads the initial stack pointer and reset vector
 * (VTOR resets to 0 on QEMU's mps2 machines, whose FLASH stand-in starts at address 0).
 */
#include <stdint.h>
#include <string.h>

#include "platform.h"
#include "platform-internal.h"

/* Symbols of the linker script. */
extern uint32_t __stack_top;
extern uint8_t __data_start[], __data_end[], __data_load[];
extern uint8_t __bss_start[], __bss_end[];
extern uint8_t __tls_base[];

/* picolibc keeps errno and friends in thread-local storage: the single thread's block is .tdata/.tbss in RAM. */
void _set_tls(void *tls);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

_Noreturn void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);

_Noreturn void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* The hard-float ABI may use FPU registers anywhere (even memcpy); CP10/CP11 full access must come first. */
    SCB_CPACR |= (0xFu << 20);
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    _set_tls(__tls_base);
    platform_exit(main());
}

void HardFault_Handler(void)
{
    platform_fault("HardFault", "CFSR", SCB_CFSR);
}

void Default_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    platform_fault("unexpected exception", "IPSR", ipsr);
}

void platform_init(void)
{
    platform_console_open();
    /* DWT CYCCNT counts on silicon; QEMU does not model it and reads 0 (cycles are only an estimate there). */
    SCB_DEMCR |= (1u << 24);
    DWT_CYCCNT = 0u;
    DWT_CTRL |= 1u;
}

uint32_t platform_cycles(void)
{
    return DWT_CYCCNT;
}

typedef void (*vector_entry)(void);

/* Initial SP, then the 15 system exceptions; the parts' IRQs are never enabled, so none are listed. */
__attribute__((section(".isr_vector"), used)) static const vector_entry vector_table[16] = {
    (vector_entry)(uintptr_t)&__stack_top,
    (vector_entry)Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler, /* HardFault */
    HardFault_Handler, /* MemManage: escalates the same way */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    0, 0, 0, 0,        /* reserved */
    Default_Handler,   /* SVCall */
    Default_Handler,   /* DebugMonitor */
    0,                 /* reserved */
    Default_Handler,   /* PendSV */
    Default_Handler,   /* SysTick */
};
