/*
 * Xtensa lx106 (call0 ABI) entry and exception vectors, for QEMU's `sim` machine (-cpu lx106). The core resets to
 * 0x50000000 (its reset vector, the start of sysrom0 = FLASH, where the linker script puts .vectors), whatever the
 * ELF's entry point says: the first word jumps to _start. _start points VECBASE at this block, so any exception
 * (illegal instruction, load/store error, ...) reports EXCCAUSE/EPC1 and exits with PLATFORM_EXIT_FAULT.
 */
    .section .vectors, "ax"
    .global _vectors
    .align 4
_vectors:
    j _start                /* reset (VECBASE + 0 is no vector on a core without register windows) */
    .org 0x10               /* level-2 / debug interrupt */
    j xtensa_exception_entry
    .org 0x20               /* NMI */
    j xtensa_exception_entry
    .org 0x30               /* kernel exception */
    j xtensa_exception_entry
    .org 0x50               /* user exception */
    j xtensa_exception_entry
    .org 0x70               /* double exception */
    j xtensa_exception_entry
    .org 0x80

    .section .text._start, "ax"
    .global _start
    .align 4
    .literal_position
_start:
    /* PS: INTLEVEL 15 (interrupts off), EXCM 0 and UM 1, so an exception takes the user vector with EPC1 set. */
    movi a0, 0x2f
    wsr a0, ps
    rsync
    movi a0, _vectors
    wsr a0, vecbase
    rsync
    movi a1, __stack_top
    movi a0, 0
    call0 reset_c
1:  j 1b

    .align 4
    .literal_position
xtensa_exception_entry:
    movi a1, __stack_top
    rsr a2, exccause
    rsr a3, epc1
    rsr a4, excvaddr
    call0 exception_c
2:  j 2b
