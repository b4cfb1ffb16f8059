/**
 * What QEMU's machines offer a bare-metal image, from QEMU 7.2's sources (hw/arm/mps2.c, hw/riscv/virt.c and
 * hw/riscv/boot.c). Board sizes come from board.yaml; these windows only say WHERE the linker script may put
 * them, and bound how large a board the machine can stand in for.
 *
 * - mps2-an386 / mps2-an500: ZBT SSRAM1, 4 MB at 0x00000000 (the core fetches its vector table there: VTOR = 0),
 *   and ZBT SSRAM2&3, 4 MB at 0x20000000. FLASH goes in the first, RAM in the second: on the STM32 parts flash is
 *   at 0x08000000 and SRAM at 0x20000000, but addresses do not change what the code computes or its size.
 * - xtensa sim with -cpu lx106: see the entry below.
 * - riscv32 virt with `-bios none`: DRAM at 0x80000000 (128 MB by default); the reset ROM jumps to the lowest
 *   address of the loaded ELF, and the device tree is copied to the top of DRAM. FLASH takes the first 4 MB and
 *   RAM the next 4 MB, far below the device tree.
 */
export interface MemoryWindow {
  origin: number;
  bytes: number;
}

export interface EmulatedMachine {
  /** QEMU's -M name. */
  name: string;
  qemuBinary: 'qemu-system-arm' | 'qemu-system-riscv32' | 'qemu-system-xtensa';
  /** QEMU's -cpu value: the core the board has. */
  cpu: string;
  flash: MemoryWindow;
  ram: MemoryWindow;
}

const MiB = 1024 * 1024;

export const EMULATED_MACHINES: Readonly<Record<string, EmulatedMachine>> = {
  'mps2-an386': {
    name: 'mps2-an386',
    qemuBinary: 'qemu-system-arm',
    cpu: 'cortex-m4',
    flash: { origin: 0x0000_0000, bytes: 4 * MiB },
    ram: { origin: 0x2000_0000, bytes: 4 * MiB },
  },
  'mps2-an500': {
    name: 'mps2-an500',
    qemuBinary: 'qemu-system-arm',
    cpu: 'cortex-m7',
    flash: { origin: 0x0000_0000, bytes: 4 * MiB },
    ram: { origin: 0x2000_0000, bytes: 4 * MiB },
  },
  virt: {
    name: 'virt',
    qemuBinary: 'qemu-system-riscv32',
    // RV32IMC in machine mode only, like the ESP32-C3: an instruction outside the ISA traps instead of running.
    cpu: 'rv32,a=off,f=off,d=off,s=off,u=off,h=off',
    flash: { origin: 0x8000_0000, bytes: 4 * MiB },
    ram: { origin: 0x8040_0000, bytes: 4 * MiB },
  },
  // Xtensa lx106 (the ESP8266's core; Debian has no LX7 compiler or QEMU core) on the `sim` machine, whose memory
  // is the core configuration's (`info mtree`, QEMU 7.2): FLASH in sysrom0 (64 MB at 0x50000000); RAM in the
  // contiguous data RAMs dataram1 + dataram0 (512 KB at 0x3ff80000), where an Xtensa part keeps its data.
  sim: {
    name: 'sim',
    qemuBinary: 'qemu-system-xtensa',
    cpu: 'lx106',
    flash: { origin: 0x5000_0000, bytes: 64 * MiB },
    ram: { origin: 0x3ff8_0000, bytes: 512 * 1024 },
  },
};
