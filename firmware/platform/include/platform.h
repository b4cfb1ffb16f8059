/*
 * The firmware's only view of the machine it runs on. One implementation per target family:
 *   arm-m/    Cortex-M4F / M7 on QEMU mps2-an386 / mps2-an500 (and the real STM32 parts)
 *   riscv32/  RV32IMC on QEMU virt (-bios none)
 *   xtensa/   Xtensa lx106 on QEMU sim (standing in for the ESP32-S2's LX7; SIMCALL semihosting)
 *   host/     the development machine, native with ASan/UBSan
 * On the emulators, output and the exit code travel through semihosting; see firmware/platform/README.md.
 */
#ifndef NX_TINYML_PLATFORM_H
#define NX_TINYML_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit code of the fault / trap handlers, so a crash is never mistaken for a program's own result. */
#define PLATFORM_EXIT_FAULT 250

/*
 * Opens the console and starts the cycle counter. Call it first in main(); platform_write also opens the console
 * on first use, so output works even without it.
 */
void platform_init(void);

/* Writes len bytes to the host's standard output (semihosting SYS_WRITE on the emulators). */
void platform_write(const char *data, size_t len);

/* platform_write of a NUL-terminated string. */
void platform_puts(const char *text);

/* Ends the program; code (0..255) becomes the emulator's or the process's exit status. */
_Noreturn void platform_exit(int code);

/*
 * Instruction-count marker: the emulator runner records the running instruction count at every call, in call
 * order (flash/qemu-run.ts). Call it around what you want to measure, e.g. before and after one inference.
 * It is a real call (never inlined) so that its address can be found in the ELF's symbol table.
 */
void platform_marker(void);

/* Cycle counter where the core has one (DWT CYCCNT, mcycle, clock_gettime); emulators report 0 or host time. */
uint32_t platform_cycles(void);

#ifdef __cplusplus
}
#endif

#endif /* NX_TINYML_PLATFORM_H */
