/* Reading .xls workbooks (Excel 97-2003, BIFF8 in an OLE2 compound file) through FreeXL.
 *
 * FreeXL is the maintained C reader of the format, but version 1.0.6 reads some damaged files
 * out of bounds (an ASan stack-buffer-underflow was seen on a broken workbook), and submissions
 * are untrusted. So FreeXL runs in a child process: the child opens the bytes the parent has
 * read (the parent's scan needs them too), asks FreeXL for every cell once and writes records to
 * a pipe; the parent, which never links
 * a byte of the file into its own memory through FreeXL, builds the grid from the records. A
 * crash, a hang beyond the CPU limit or a memory blow-up in FreeXL ends the child and becomes
 * an error naming the file.
 *
 * FreeXL gives the values; what it does not give (number formats, merged ranges, hidden
 * sheets, the date system) comes from xls_scan.c, which reads those records itself, in this
 * process and with every offset checked. A number is shown as its format shows it, exactly as
 * in an .xlsx (formats/xlsx.md). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <freexl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xlsx_int.h"

/* Records from the child: a byte of kind, then the fields below in host order (the pipe never
 * leaves the machine). */
enum {
    REC_SHEET = 'S', /* u32 length, name */
    REC_ROW = 'R',   /* u32 row (1-based), u32 cells; then per cell: u32 col, u8 kind and
                        * for CELL_TEXT u32 length, text; for CELL_NUMBER a double */
    REC_BLANK = 'B', /* u32 row: a run of blank rows starts here */
    REC_ERROR = 'E', /* u32 length, message */
    REC_END = 'Z'
};

enum { CELL_TEXT = 0, CELL_NUMBER = 1 };

/* Not a FreeXL error code: the child's own word for a workbook it will not open. */
#define XLS_PASSWORD 1

/* CPU seconds FreeXL may spend on one workbook: the largest sheet a BIFF8 file can hold
 * (65,536 x 256 cells) reads in well under a second. */
#define XLS_CPU_SECONDS 60

/* ---- the child ---- */

typedef struct out {
    FILE *f;
} out;

static void put(out *o, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, o->f) != n)
        _exit(3); /* the parent went away */
}

static void put_u32(out *o, uint32_t v) { put(o, &v, sizeof v); }

static void put_text(out *o, int kind, const char *s, size_t n)
{
    unsigned char k = (unsigned char)kind;
    put(o, &k, 1);
    put_u32(o, (uint32_t)n);
    put(o, s, n);
}

static _Noreturn void child_fail(out *o, const char *what, int code)
{
    char msg[160];
    const char *why;
    switch (code) {
    case FREEXL_INSUFFICIENT_MEMORY: why = "out of memory"; break;
    case XLS_PASSWORD: why = "the workbook is protected by a password"; break;
    case FREEXL_INVALID_CHARACTER: why = "a text is not valid in the workbook's code page"; break;
    case FREEXL_UNSUPPORTED_CHARSET: why = "the workbook's code page is not supported"; break;
    case FREEXL_CRAFTED_FILE: why = "the file is damaged (or crafted)"; break;
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND: why = "the file holds no workbook stream"; break;
    default: why = "the file is damaged or not an Excel 97-2003 workbook"; break;
    }
    int n = snprintf(msg, sizeof msg, "%s: %s (FreeXL error %d)", what, why, code);
    put_text(o, REC_ERROR, msg, n > 0 ? (size_t)n : 0);
    fflush(o->f);
    _exit(0);
}

/* A cell's value: CELL_NUMBER with *num, or CELL_TEXT with *text; -1 for a blank. */
static int cell_value(const FreeXL_CellValue *v, double *num, const char **text)
{
    switch (v->type) {
    case FREEXL_CELL_INT: *num = v->value.int_value; return CELL_NUMBER;
    case FREEXL_CELL_DOUBLE: *num = v->value.double_value; return CELL_NUMBER;
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME:
    case FREEXL_CELL_TIME:
        *text = v->value.text_value;
        return *text != NULL && **text ? CELL_TEXT : -1;
    default: return -1;
    }
}

/* A filled cell of the row being read. */
typedef struct child_cell {
    uint32_t col;
    int kind;
    double num;
    const char *text; /* FreeXL's, valid while the sheet is the active one */
} child_cell;

static void put_row(out *o, uint32_t row, const child_cell *cells, uint32_t n)
{
    unsigned char k = REC_ROW;
    put(o, &k, 1);
    put_u32(o, row);
    put_u32(o, n);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char k8 = (unsigned char)cells[i].kind;
        put_u32(o, cells[i].col);
        put(o, &k8, 1);
        if (cells[i].kind == CELL_NUMBER) {
            put(o, &cells[i].num, sizeof cells[i].num);
        } else {
            size_t len = strlen(cells[i].text);
            put_u32(o, (uint32_t)len);
            put(o, cells[i].text, len);
        }
    }
}

static void child_read(out *o, const char *path)
{
    const void *xls = NULL;
    int rc = freexl_open(path, &xls);
    if (rc != FREEXL_OK)
        child_fail(o, "cannot open the workbook", rc);
    unsigned int nsheets = 0, pw = 0;
    if (freexl_get_info(xls, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK &&
        pw == FREEXL_BIFF_OBFUSCATED)
        child_fail(o, "cannot read the workbook", XLS_PASSWORD);
    if ((rc = freexl_get_info(xls, FREEXL_BIFF_SHEET_COUNT, &nsheets)) != FREEXL_OK)
        child_fail(o, "cannot count the sheets", rc);
    /* One row's cells, each asked of FreeXL once. The child's memory is FreeXL's sandbox, not
     * the parent's, so it is the C library's (as FreeXL's own) rather than budgetkit's
     * allocator. */
    child_cell *cells = NULL;
    for (unsigned int s = 0; s < nsheets && s <= 0xFFFFu; s++) {
        const char *name = NULL;
        if ((rc = freexl_get_worksheet_name(xls, (unsigned short)s, &name)) != FREEXL_OK ||
            (rc = freexl_select_active_worksheet(xls, (unsigned short)s)) != FREEXL_OK)
            child_fail(o, "cannot open a sheet", rc);
        char fallback[32];
        if (name == NULL || !*name) {
            snprintf(fallback, sizeof fallback, "Sheet%u", s + 1);
            name = fallback;
        }
        put_text(o, REC_SHEET, name, strlen(name));
        unsigned int rows = 0;
        unsigned short cols = 0;
        if ((rc = freexl_worksheet_dimensions(xls, &rows, &cols)) != FREEXL_OK)
            child_fail(o, "cannot size a sheet", rc);
        child_cell *grown = realloc(cells, ((size_t)cols + 1) * sizeof *cells);
        if (grown == NULL)
            child_fail(o, "cannot read a sheet", FREEXL_INSUFFICIENT_MEMORY);
        cells = grown;
        int blank_before = 1;
        for (unsigned int r = 0; r < rows; r++) {
            uint32_t filled = 0;
            for (unsigned short c = 0; c < cols; c++) {
                FreeXL_CellValue v;
                child_cell *cell = &cells[filled];
                if (freexl_get_cell_value(xls, r, c, &v) != FREEXL_OK ||
                    (cell->kind = cell_value(&v, &cell->num, &cell->text)) < 0)
                    continue;
                cell->col = c;
                filled++;
            }
            if (filled == 0) {
                if (!blank_before) {
                    unsigned char k = REC_BLANK;
                    put(o, &k, 1);
                    put_u32(o, r + 1);
                }
                blank_before = 1;
                continue;
            }
            blank_before = 0;
            put_row(o, r + 1, cells, filled);
        }
    }
    free(cells);
    freexl_close(xls);
    unsigned char end = REC_END;
    put(o, &end, 1);
}

/* FreeXL allocates a sheet's cells from the dimensions the file declares (up to 65,536 x 256
 * of them): the child may grow by XLS_MEMORY beyond what it shares with the parent. Not under
 * AddressSanitizer, whose shadow memory is a reservation of terabytes. */
#define XLS_MEMORY (1024UL * 1024 * 1024)

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XLS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define XLS_ASAN 1
#endif

static void limit_memory(void)
{
#ifndef XLS_ASAN
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f == NULL)
        return;
    if (fscanf(f, "%lu", &pages) == 1 && pages > 0) {
        long page = sysconf(_SC_PAGESIZE);
        rlim_t now = (rlim_t)pages * (rlim_t)(page > 0 ? page : 4096);
        struct rlimit as = {now + XLS_MEMORY, now + XLS_MEMORY};
        setrlimit(RLIMIT_AS, &as);
    }
    fclose(f);
#endif
}

/* Present when a sanitizer runtime is linked in (sanitizer builds, fuzzers). */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* A crash in FreeXL ends the child and nothing else. The handlers the child inherits would do
 * more: a fuzzer's would save the input as the fuzzer's own crash, a sanitizer's would report
 * on the parent's behalf. They are put back to the defaults; the parent reports the end. */
static void plain_crashes(void)
{
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(NULL);
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
}

/* The child's whole life: limits, the workbook (the parent's bytes, which it shares from the
 * fork, handed to FreeXL as an anonymous file: the file is read once), records, exit. It never
 * returns. */
static _Noreturn void child_main(int wfd, const unsigned char *data, size_t len)
{
    /* FreeXL's own complaints and a sanitizer's report of FreeXL's reads go nowhere: the
     * parent turns an abnormal end into the error the user sees. */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDERR_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    plain_crashes();
    struct rlimit cpu = {XLS_CPU_SECONDS, XLS_CPU_SECONDS};
    setrlimit(RLIMIT_CPU, &cpu);
    limit_memory();
    out o = {fdopen(wfd, "wb")};
    if (o.f == NULL)
        _exit(4);
    char path[64];
    int fd = memfd_create("budgetkit-xls", 0);
    if (fd < 0)
        child_fail(&o, "cannot hold the workbook in memory", FREEXL_INSUFFICIENT_MEMORY);
    for (size_t at = 0; at < len;) {
        ssize_t n = write(fd, data + at, len - at);
        if (n <= 0)
            child_fail(&o, "cannot hold the workbook in memory", FREEXL_INSUFFICIENT_MEMORY);
        at += (size_t)n;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    child_read(&o, path);
    fflush(o.f);
    _exit(0);
}

/* ---- the parent ---- */

typedef struct in {
    int fd;
    unsigned char buf[65536];
    size_t at, len;
} in;

/* n bytes from the child: 0, or -1 at a premature end. */
static int take(in *p, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n > 0) {
        if (p->at == p->len) {
            ssize_t got = read(p->fd, p->buf, sizeof p->buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return -1;
            p->at = 0;
            p->len = (size_t)got;
        }
        size_t k = p->len - p->at < n ? p->len - p->at : n;
        memcpy(d, p->buf + p->at, k);
        p->at += k;
        d += k;
        n -= k;
    }
    return 0;
}

static int take_u32(in *p, uint32_t *v) { return take(p, v, sizeof *v); }

typedef struct book {
    bk_import *job;
    bk_error *err;
    const char *file;
    const bk_limits *limits;
    bk_grid *grid;
    bkxl_xls_scan scan;
    const bkxl_xls_sheet *sh; /* the scan's record of the current sheet, NULL when unknown */
    size_t next_sheet;        /* where to look for the next sheet in the scan */
    int skip;                 /* the current sheet is hidden: its rows are read and dropped */
    char sheet[256];
    char *text; /* the current record's text, or a row's cells' texts */
    size_t text_cap;
    bk_grid_cell *cells;
    size_t cells_cap;
    unsigned long long grid_cells;
} book;

#define book_error(b, where, ...) bkxl_error((b)->err, (b)->file, where, __VA_ARGS__)

static bk_status nomem(book *b) { return book_error(b, NULL, BK_E_NOMEM, "out of memory"); }

/* n bytes of text from the child into b->text at offset at, NUL-terminated. */
static bk_status take_text(book *b, in *p, size_t at, size_t *len)
{
    uint32_t n;
    if (take_u32(p, &n) != 0)
        return BK_E_SYNTAX;
    if (b->limits->max_string && n > b->limits->max_string)
        return book_error(b, b->sheet, BK_E_LIMIT,
                          "a cell holds more than %llu bytes "
                          "(max-string)",
                          b->limits->max_string);
    if (bk_grow((void **)&b->text, &b->text_cap, at + n + 1, 1))
        return nomem(b);
    if (take(p, b->text + at, n) != 0)
        return BK_E_SYNTAX;
    b->text[at + n] = '\0';
    *len = n;
    return BK_OK;
}

/* A number as its cell's format shows it, into b->text at offset at. */
static bk_status show_number(book *b, double v, uint32_t row, uint32_t col, size_t at, size_t *len,
                             uint32_t *flags)
{
    if (bk_grow((void **)&b->text, &b->text_cap, at + BKXL_SHOWN_MAX + 1, 1))
        return nomem(b);
    const char *code = b->sh ? bkxl_xls_format(&b->scan, b->sh, row - 1, col) : NULL;
    size_t n = 0;
    bkxl_shown_kind kind = bkxl_show_number(v, code, b->scan.date1904, b->text + at, &n);
    b->text[at + n] = '\0';
    *len = n;
    *flags = kind == BKXL_SHOWN_NUMBER ? BK_GRID_NUMBER : BK_GRID_TEXT;
    return BK_OK;
}

static bk_status take_row(book *b, in *p)
{
    uint32_t row, n;
    if (take_u32(p, &row) != 0 || take_u32(p, &n) != 0 || n == 0 || n > 0xFFFFu || row == 0)
        return BK_E_SYNTAX;
    if (bk_grow((void **)&b->cells, &b->cells_cap, n, sizeof *b->cells))
        return nomem(b);
    size_t used = 0;
    uint32_t last_col = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t col, flags = BK_GRID_TEXT;
        unsigned char kind;
        size_t len = 0;
        double v;
        if (take_u32(p, &col) != 0 || take(p, &kind, 1) != 0 || (i > 0 && col <= last_col))
            return BK_E_SYNTAX;
        last_col = col;
        bk_status st;
        if (kind == CELL_NUMBER)
            st = take(p, &v, sizeof v) != 0 ? BK_E_SYNTAX
                                            : show_number(b, v, row, col, used, &len, &flags);
        else if (kind == CELL_TEXT)
            st = take_text(b, p, used, &len);
        else
            st = BK_E_SYNTAX;
        if (st != BK_OK)
            return st;
        memset(&b->cells[i], 0, sizeof b->cells[i]);
        b->cells[i].text = (const char *)(uintptr_t)used; /* an offset until the row is whole */
        b->cells[i].len = len;
        b->cells[i].col = col;
        b->cells[i].flags = flags;
        used += len + 1;
    }
    if (b->skip)
        return BK_OK;
    b->grid_cells += (unsigned long long)last_col + 1;
    if (b->limits->max_cells && b->grid_cells > b->limits->max_cells) {
        char where[320];
        snprintf(where, sizeof where, "%s!%" PRIu32, b->sheet, row);
        return book_error(b, where, BK_E_LIMIT,
                          "the sheets reach more than %llu cells, blanks "
                          "included up to the last filled cell of each row (max-cells)",
                          b->limits->max_cells);
    }
    for (uint32_t i = 0; i < n; i++)
        b->cells[i].text = b->text + (uintptr_t)b->cells[i].text;
    return bk_grid_row(b->grid, row, b->cells, n) == BK_OK ? BK_OK : nomem(b);
}

/* The merged ranges of the sheet just read; its rows are all in the grid. */
static bk_status end_sheet(book *b)
{
    if (b->sh == NULL || b->skip)
        return BK_OK;
    for (size_t i = 0; i < b->sh->nmerges; i++) {
        const bkxl_xls_merge *m = &b->sh->merges[i];
        if (m->row1 < m->row0 || m->col1 < m->col0)
            continue; /* a range no program writes: nothing to merge */
        if (bk_grid_merge(b->grid, (long)m->row0 + 1, m->col0, (long)m->row1 + 1, m->col1) != BK_OK)
            return nomem(b);
    }
    return BK_OK;
}

/* A new sheet from FreeXL: found in the scan by name, in order. */
static bk_status start_sheet(book *b, const char *name)
{
    bk_status st = end_sheet(b);
    if (st != BK_OK)
        return st;
    snprintf(b->sheet, sizeof b->sheet, "%s", name);
    b->sh = NULL;
    b->skip = 0;
    for (size_t i = b->next_sheet; b->scan.ok && i < b->scan.nsheets; i++) {
        const bkxl_xls_sheet *sh = &b->scan.sheets[i];
        if (sh->name != NULL && strcmp(sh->name, name) == 0) {
            b->sh = sh;
            b->next_sheet = i + 1;
            break;
        }
    }
    if (b->sh != NULL && b->sh->hidden) {
        bk_import_warn(b->job, 0, 0, "sheet \"%s\" is hidden and was not read", name);
        b->skip = 1;
        return BK_OK;
    }
    return bk_grid_part(b->grid, name, BK_GRID_SHEET) == BK_OK ? BK_OK : nomem(b);
}

/* Build the grid from the child's records. */
static bk_status read_records(book *b, in *p, int *ended)
{
    size_t sheets = 0, shown = 0;
    for (;;) {
        unsigned char kind;
        if (take(p, &kind, 1) != 0)
            return BK_E_SYNTAX;
        bk_status st = BK_OK;
        size_t len = 0;
        uint32_t row;
        switch (kind) {
        case REC_SHEET:
            if ((st = take_text(b, p, 0, &len)) != BK_OK || (st = start_sheet(b, b->text)) != BK_OK)
                return st;
            sheets++;
            shown += !b->skip;
            break;
        case REC_ROW:
            if (sheets == 0)
                return BK_E_SYNTAX;
            if ((st = take_row(b, p)) != BK_OK)
                return st;
            break;
        case REC_BLANK:
            if (sheets == 0 || take_u32(p, &row) != 0)
                return BK_E_SYNTAX;
            if (!b->skip && bk_grid_row(b->grid, row, NULL, 0) != BK_OK)
                return nomem(b);
            break;
        case REC_ERROR:
            if ((st = take_text(b, p, 0, &len)) != BK_OK)
                return st;
            return book_error(b, NULL, BK_E_CONTENT, "%s", b->text);
        case REC_END:
            *ended = 1;
            if ((st = end_sheet(b)) != BK_OK)
                return st;
            if (shown == 0)
                return book_error(b, NULL, BK_E_CONTENT, "the workbook has no visible worksheet");
            return BK_OK;
        default: return BK_E_SYNTAX;
        }
    }
}

/* Run the child over the workbook and read its records into b->grid. */
static bk_status run_child(book *b, const unsigned char *data, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return book_error(b, NULL, BK_E_IO, "cannot start reading the workbook: %s",
                          strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return book_error(b, NULL, BK_E_IO, "cannot start reading the workbook: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1], data, len);
    }
    close(fds[1]);
    in *p = bk_malloc(sizeof *p);
    bk_status st = BK_OK;
    int ended = 0;
    if (p == NULL) {
        st = nomem(b);
    } else {
        p->fd = fds[0];
        p->at = p->len = 0;
        st = read_records(b, p, &ended);
    }
    /* Closing the pipe ends a child the parent stopped listening to (it dies writing). */
    close(fds[0]);
    bk_free(p);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (st == BK_E_SYNTAX || (st == BK_OK && !ended)) {
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
            st = book_error(b, NULL, BK_E_LIMIT,
                            "reading the workbook took more than %d s of "
                            "CPU: the file is damaged or crafted",
                            XLS_CPU_SECONDS);
        else if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0))
            st = book_error(b, NULL, BK_E_SYNTAX,
                            "the Excel 97-2003 reader stopped on this "
                            "file (%s %d): the file is damaged; open it in a spreadsheet "
                            "program and save it again, or as .xlsx",
                            WIFSIGNALED(status) ? "signal" : "status",
                            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        else
            st = book_error(b, NULL, BK_E_SYNTAX, "the workbook ended unexpectedly");
    }
    return st;
}

bk_status bkxl_read_xls(bk_import *job)
{
    book b = {.job = job, .err = bk_import_error(job), .limits = bk_ctx_limits(bk_import_ctx(job))};
    bk_source *src = bk_import_source(job);
    b.file = bk_source_name(src);
    const unsigned char *data = NULL;
    size_t len = 0;
    bk_status st = bk_source_slurp(src, (size_t)b.limits->max_input_bytes, &data, &len, b.err);
    if (st == BK_OK && bkxl_xls_scan_run(&b.scan, data, len) != 0) {
        if (b.scan.why == NULL || strcmp(b.scan.why, "out of memory") == 0)
            st = nomem(&b);
        else
            bk_import_warn(job, 0, 0,
                           "the number formats, merged cells and hidden sheets of "
                           "this workbook could not be read (%s): numbers are shown as in "
                           "General format",
                           b.scan.why);
    }
    if (st == BK_OK && (b.grid = bk_grid_new(b.file)) == NULL)
        st = nomem(&b);
    if (st == BK_OK)
        st = run_child(&b, data, len);
    bkxl_xls_scan_free(&b.scan);
    bk_free(b.text);
    bk_free(b.cells);
    if (st == BK_OK)
        st = bk_grid_import(job, b.grid);
    bk_grid_free(b.grid);
    return st;
}
