/*
 * ARM-compatible semihosting (the same operation numbers on Cortex-M and RISC-V). The trap that carries a call
 * differs per architecture: semihosting_call() is implemented in arm-m/ and riscv32/.
 */
#ifndef NX_TINYML_SEMIHOSTING_H
#define NX_TINYML_SEMIHOSTING_H

#include <stdint.h>

enum {
    SEMIHOSTING_SYS_OPEN = 0x01,
    SEMIHOSTING_SYS_WRITEC = 0x03,
    SEMIHOSTING_SYS_WRITE0 = 0x04,
    SEMIHOSTING_SYS_WRITE = 0x05,
    SEMIHOSTING_SYS_EXIT = 0x18,
    SEMIHOSTING_SYS_EXIT_EXTENDED = 0x20,
};

/* SYS_OPEN mode 4 ("w") of the special file ":tt" is the host's stdout; QEMU implements SH_EXT_STDOUT_STDERR. */
#define SEMIHOSTING_OPEN_MODE_WRITE 4u
/* The reason code of a normal exit; with SYS_EXIT_EXTENDED its subcode is the exit status. */
#define SEMIHOSTING_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* One semihosting call: operation in the first register, parameter (usually a block address) in the second. */
uintptr_t semihosting_call(uint32_t operation, uintptr_t parameter);

#endif /* NX_TINYML_SEMIHOSTING_H */
