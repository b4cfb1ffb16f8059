/* Pieces the per-architecture startup code shares with the semihosted console; not for application code. */
#ifndef NX_TINYML_PLATFORM_INTERNAL_H
#define NX_TINYML_PLATFORM_INTERNAL_H

#include <stdint.h>

/* Opens the semihosting console once (platform_init and the first platform_write call it). */
void platform_console_open(void);

/* Writes a fault description to the emulator's stderr, bypassing the program's stdout. */
void platform_report_fault(const char *text);

/* Formats value as 8 hex digits + NUL into out[9]. */
void platform_format_hex32(uint32_t value, char out[9]);

/* Reports "<what> <name>=0x<value>" on the fault channel and exits with PLATFORM_EXIT_FAULT. */
_Noreturn void platform_fault(const char *what, const char *name, uint32_t value);

/* The application's entry point, called by the reset code once memory is initialised. */
int main(void);

#endif /* NX_TINYML_PLATFORM_INTERNAL_H */
