/*
 * Entry of the RV32 image. QEMU's virt machine with -bios none jumps from its reset ROM to the lowest address of
 * the loaded ELF (0x80000000, the start of FLASH in our linker script), in machine mode, so _start must be the
 * first thing there: the linker script puts .text.init.enter first.
 */
    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    /* gp must be set without relaxation, or the assembler would express it relative to its own unset value. */
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, trap_entry
    csrw mtvec, t0
    call reset_c
1:  j 1b
    .size _start, . - _start

    /* mtvec needs 4-byte alignment in direct mode. */
    .section .text.trap_entry, "ax", @progbits
    .balign 4
    .globl trap_entry
    .type trap_entry, @function
trap_entry:
    /* No interrupt is ever enabled: any trap is a fault. Report it on a fresh stack slot; never return. */
    csrr a0, mcause
    csrr a1, mepc
    csrr a2, mtval
    call trap_c
1:  j 1b
    .size trap_entry, . - trap_entry

    /*
     * The semihosting sequence QEMU recognises: uncompressed slli/ebreak/srai, all three in one page. The 16-byte
     * alignment keeps them from straddling a page boundary.
     */
    .section .text.semihosting_call, "ax", @progbits
    .balign 16
    .globl semihosting_call
    .type semihosting_call, @function
semihosting_call:
    .option push
    .option norvc
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    .option pop
    ret
    .size semihosting_call, . - semihosting_call
