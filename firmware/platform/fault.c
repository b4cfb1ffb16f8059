/* Fault reporting shared by the emulated targets: a message on the fault channel, then a distinctive exit. */
#include "platform.h"
#include "platform-internal.h"

void platform_format_hex32(uint32_t value, char out[9])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 7; i >= 0; --i) {
        out[i] = digits[value & 0xfu];
        value >>= 4;
    }
    out[8] = '\0';
}

_Noreturn void platform_fault(const char *what, const char *name, uint32_t value)
{
    char hex[9];
    platform_format_hex32(value, hex);
    platform_report_fault("platform: ");
    platform_report_fault(what);
    platform_report_fault(" ");
    platform_report_fault(name);
    platform_report_fault("=0x");
    platform_report_fault(hex);
    platform_report_fault("\n");
    platform_exit(PLATFORM_EXIT_FAULT);
}
