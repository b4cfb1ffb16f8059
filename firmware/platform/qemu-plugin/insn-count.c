/*
 * QEMU TCG plugin: counts executed guest instructions, exactly (one inline add per instruction, so a translation
 * block cut short by an exception is not over-counted).
 *
 * Arguments (-plugin libinsn-count.so,out=FILE[,marker=ADDR][,range=LO-HI]...):
 *   out=FILE      where the counts go, as JSON, when QEMU exits (semihosting exit included)
 *   marker=ADDR   (repeatable) record the running total each time the instruction at ADDR executes, the marker
 *                 instruction itself included; ADDR is the address of platform_marker() (platform.h)
 *   range=LO-HI   (repeatable) also count the instructions executed with LO <= pc < HI, e.g. one function's code
 * Addresses are hexadecimal (0x optional). Written against QEMU's plugin API version 1 (QEMU 7.2's qemu-plugin.h);
 * the guest must have one vCPU, which is what the mps2 and virt machines run here.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_MARKERS 16
#define MAX_RANGES 16

typedef struct {
    uint64_t address;
    uint64_t *hits;
    size_t count;
    size_t capacity;
} marker_t;

typedef struct {
    uint64_t low;
    uint64_t high;
    uint64_t count;
} range_t;

static uint64_t total_instructions;
static marker_t markers[MAX_MARKERS];
static size_t marker_count;
static range_t ranges[MAX_RANGES];
static size_t range_count;
static char *out_path;
static bool out_of_memory;

static void on_marker(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    marker_t *marker = userdata;
    /* Marker instructions get no inline add (see translate): counting here keeps the figure independent of the
       order in which QEMU runs inline ops and callbacks of one instruction. */
    total_instructions += 1;
    if (marker->count == marker->capacity) {
        size_t capacity = marker->capacity == 0 ? 64 : marker->capacity * 2;
        uint64_t *hits = realloc(marker->hits, capacity * sizeof *hits);
        if (hits == NULL) {
            out_of_memory = true;
            return;
        }
        marker->hits = hits;
        marker->capacity = capacity;
    }
    marker->hits[marker->count++] = total_instructions;
}

static marker_t *marker_at(uint64_t address)
{
    for (size_t i = 0; i < marker_count; ++i) {
        if (markers[i].address == address) return &markers[i];
    }
    return NULL;
}

static void translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint64_t pc = qemu_plugin_insn_vaddr(insn);
        marker_t *marker = marker_at(pc);
        if (marker != NULL) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, marker);
        } else {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total_instructions, 1);
        }
        for (size_t r = 0; r < range_count; ++r) {
            if (pc >= ranges[r].low && pc < ranges[r].high) {
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &ranges[r].count, 1);
            }
        }
    }
}

static void write_counts(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    FILE *out = fopen(out_path, "w");
    if (out == NULL) {
        fprintf(stderr, "insn-count: cannot write %s\n", out_path);
        return;
    }
    fprintf(out, "{\"instructions\":%" PRIu64 ",\"outOfMemory\":%s,\"markers\":[", total_instructions,
            out_of_memory ? "true" : "false");
    for (size_t i = 0; i < marker_count; ++i) {
        fprintf(out, "%s{\"address\":%" PRIu64 ",\"hits\":[", i == 0 ? "" : ",", markers[i].address);
        for (size_t h = 0; h < markers[i].count; ++h) {
            fprintf(out, "%s%" PRIu64, h == 0 ? "" : ",", markers[i].hits[h]);
        }
        fprintf(out, "]}");
    }
    fprintf(out, "],\"ranges\":[");
    for (size_t r = 0; r < range_count; ++r) {
        fprintf(out, "%s{\"low\":%" PRIu64 ",\"high\":%" PRIu64 ",\"instructions\":%" PRIu64 "}", r == 0 ? "" : ",",
                ranges[r].low, ranges[r].high, ranges[r].count);
    }
    fprintf(out, "]}\n");
    fclose(out);
}

static bool parse_address(const char *text, uint64_t *value)
{
    char *end = NULL;
    *value = strtoull(text, &end, 16);
    return end != text && (*end == '\0' || *end == '-');
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    if (!info->system_emulation || info->system.smp_vcpus != 1) {
        fprintf(stderr, "insn-count: needs system emulation with one vCPU\n");
        return -1;
    }
    for (int i = 0; i < argc; ++i) {
        const char *arg = argv[i];
        if (strncmp(arg, "out=", 4) == 0) {
            out_path = strdup(arg + 4);
        } else if (strncmp(arg, "marker=", 7) == 0 && marker_count < MAX_MARKERS) {
            if (!parse_address(arg + 7, &markers[marker_count].address)) goto bad;
            ++marker_count;
        } else if (strncmp(arg, "range=", 6) == 0 && range_count < MAX_RANGES) {
            const char *dash = strchr(arg + 6, '-');
            if (dash == NULL || !parse_address(arg + 6, &ranges[range_count].low) ||
                !parse_address(dash + 1, &ranges[range_count].high)) {
                goto bad;
            }
            ++range_count;
        } else {
            goto bad;
        }
        continue;
    bad:
        fprintf(stderr, "insn-count: bad argument \"%s\" (expected out=FILE, marker=ADDR, range=LO-HI; at most %d markers and %d ranges)\n",
                arg, MAX_MARKERS, MAX_RANGES);
        return -1;
    }
    if (out_path == NULL) {
        fprintf(stderr, "insn-count: out=FILE is required\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translate);
    qemu_plugin_register_atexit_cb(id, write_counts, NULL);
    return 0;
}
