/* budgetkit — the command line. It parses arguments and prints; the library does the work. */
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "budgetkit/budgetkit.h"
#include "layouts.h"
#include "messages.h"

enum { EXIT_FINDINGS = 1, EXIT_BAD = 2 };

typedef struct common {
    bk_ctx *ctx;
    const char *from, *to;
    const char *keys[64]; /* --option KEY=VALUE as given, checked once plugins are loaded */
    size_t nkeys;
    const char *cmd; /* "convert " for usage errors */
    struct diag_state *diag;
} common;

/* Warnings always; progress on a terminal or when asked (--progress), redrawn by time, not by
 * count (every `interval` seconds: BUDGETKIT_PROGRESS_INTERVAL, default a quarter), ending
 * with a newline once the job is done. On a terminal the line is redrawn in place; elsewhere
 * (a log) each update is a line of its own. */
typedef struct diag_state {
    int tty;
    int progress;    /* show progress: on a terminal, or --progress */
    int converting;  /* convert's progress: no findings to count */
    int asked;       /* --progress: the final line is written even for a quick job */
    int shown;       /* a progress line is on the terminal, not yet ended */
    int printed;     /* a progress line was written */
    double started, last, interval;
} diag_state;

/* One progress line, without its end: done of total documents (total 0 while unknown), the
 * input being read when there are several, and the rate. */
static void progress_line(const diag_state *s, const bk_diag *d, double rate)
{
    char count[64], input[64] = "";
    if (d->total)
        snprintf(count, sizeof count, "%zu/%zu", d->done, d->total);
    else
        snprintf(count, sizeof count, "%zu", d->done);
    if (!d->total && d->inputs_total > 1) {
        size_t at = d->inputs_done < d->inputs_total ? d->inputs_done + 1 : d->inputs_total;
        snprintf(input, sizeof input, msg_zh ? "，输入 %zu/%zu" : ", input %zu/%zu", at,
                 d->inputs_total);
    }
    fputs(s->tty ? "\rbudgetkit: " : "budgetkit: ", stderr);
    if (s->converting)
        fprintf(stderr, msg_zh ? "已转换 %s 份文档%s（每秒 %.0f 份）"
                               : "%s documents converted%s (%.0f per second)",
                count, input, rate);
    else
        fprintf(stderr, msg_zh ? "已校验 %s 份文档，%zu 条结果%s（每秒 %.0f 份）"
                               : "%s documents validated, %zu findings%s (%.0f per second)",
                count, d->findings, input, rate);
    if (s->tty)
        fputs("\033[K", stderr); /* a shorter line leaves nothing of the longer one */
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_diag(const bk_diag *d, void *user)
{
    diag_state *s = user;
    if (d->kind == BK_DIAG_WARNING) {
        if (s->shown)
            fputc('\n', stderr), s->shown = 0;
        if (d->file && d->line > 0 && d->column > 0)
            fprintf(stderr, "budgetkit: %s:%ld:%ld: warning: %s\n", d->file, d->line, d->column,
                    d->message);
        else if (d->file && d->line > 0)
            fprintf(stderr, "budgetkit: %s:%ld: warning: %s\n", d->file, d->line, d->message);
        else
            fprintf(stderr, "budgetkit: %s: warning: %s\n", d->file ? d->file : "-", d->message);
        return;
    }
    if (!s->progress)
        return;
    double t = now_seconds();
    int done = d->total != 0 && d->done == d->total;
    /* The first update waits an interval too: on a terminal, a job done by then shows
     * nothing. */
    if (!done && t - s->last < s->interval)
        return;
    if (done && !s->printed && !s->asked)
        return;
    double rate = t > s->started ? (double)d->done / (t - s->started) : 0;
    progress_line(s, d, rate);
    if (!s->tty || done)
        fputc('\n', stderr);
    s->shown = s->tty && !done;
    s->printed = 1;
    s->last = t;
}

/* When the reader of standard output has gone (`| head`), end quietly as other tools do:
 * by SIGPIPE, after removing temporaries, instead of an error message about it. */
static void end_if_stdout_closed(void)
{
    struct pollfd p = {STDOUT_FILENO, 0, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) {
        bk_sink_remove_temporaries();
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
    }
}

static diag_state *shown_progress; /* the diagnostics state, for ending a progress line */

static void print_error(const bk_error *err)
{
    if (shown_progress && shown_progress->shown) { /* the error starts a line of its own */
        fputc('\n', stderr);
        shown_progress->shown = 0;
    }
    end_if_stdout_closed();
    bk_error e = *err;
    msg_translate(err->text, e.text, sizeof e.text);
    char buf[1024];
    bk_error_format(&e, buf, sizeof buf);
    fprintf(stderr, "budgetkit: %s\n", buf);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "budgetkit: ");
    fprintf(stderr, msg(fmt), strcmp(fmt, "%s") == 0 ? msg(arg) : arg);
    fprintf(stderr, "\n");
    fprintf(stderr, msg("Try 'budgetkit %s--help'."), cmd ? cmd : "");
    fprintf(stderr, "\n");
    return EXIT_BAD;
}

/* --lang zh|en, for every command; the default comes from the locale. */
static int set_lang(bk_ctx *ctx, const char *lang, const char *cmd)
{
    if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
        return usage_error(cmd, "--lang is zh or en, not '%s'", lang);
    msg_zh = strcmp(lang, "zh") == 0;
    return bk_ctx_set_option(ctx, "lang", lang) == BK_OK ? 0 : EXIT_BAD;
}

/* --jobs N for convert and validate: threads that read inputs while this one writes or
 * checks; by default one per core. */
static int set_jobs(bk_ctx *ctx, const char *arg, const char *cmd)
{
    char *end;
    long n = arg ? strtol(arg, &end, 10) : 0;
    if (arg && (end == arg || *end || n < 1 || n > 256))
        return usage_error(cmd, "--jobs is a number from 1 to 256, not '%s'", arg);
    if (!arg) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        n = n < 1 ? 1 : n > 256 ? 256 : n;
    }
    bk_ctx_set_jobs(ctx, (unsigned)n);
    return 0;
}

static void on_signal(int sig)
{
    bk_sink_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const char layouts_help[] =
    "Usage: budgetkit layouts [--format text|json] [FAMILY]\n"
    "List the layout families budgetkit recognises tables by (the data folder's layouts/, and\n"
    "the folders of BUDGETKIT_LAYOUT_PATH first) and each family's tables: id, title, money\n"
    "unit, key columns, and each column's id with its printed header path (formats/templates.md).\n"
    "\n"
    "  --format FMT        text (default) or json (one object: families, their tables)\n"
    "\n"
    "Examples:\n"
    "  budgetkit layouts\n"
    "  budgetkit layouts --format json jiangsu-2019\n";

static const char main_help[] =
    "Usage: budgetkit [GLOBAL OPTIONS] COMMAND [ARGS]\n"
    "Convert and validate government department budgets (部门预算).\n"
    "\n"
    "Commands:\n"
    "  convert IN... OUT   convert between formats (JSON, XML, CSV, ZIP archive)\n"
    "  info IN             summarise a budget: department, year, units, tables, totals\n"
    "  validate IN...      check codes, totals and the narrative text; exit 1 on errors\n"
    "  consolidate IN... OUT  build the department budget from its units' budgets\n"
    "  diff A B            cell-level differences between two budgets; exit 1 when they differ\n"
    "  plugins             list the plugins found and the files skipped\n"
    "  layouts [FAMILY]    list the layout families and their tables\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --plugin-path DIRS  look for plugins in these ':'-separated folders first\n"
    "  --data-dir DIR      templates, rules and catalogue folder (default: installed formats/)\n"
    "  --layout-family F   read printed tables with the layouts of family F only (default: the\n"
    "                      family the tables' titles and headers match; 'budgetkit layouts')\n"
    "  --limit NAME=VALUE  change a resource limit (see 'budgetkit convert --help')\n"
    "  --lang LANG         messages in zh or en (default: from the locale, LANG/LC_ALL)\n"
    "  -h, --help          this help; 'budgetkit COMMAND --help' for a command\n"
    "  --version           print the version\n"
    "\n"
    "Exit status: 0 success, 1 validation errors found, 2 usage or input error.\n";

static const char convert_help[] =
    "Usage: budgetkit convert [OPTIONS] IN... OUT\n"
    "Read every IN (file, folder, archive, or - for standard input) and write OUT.\n"
    "The input format is found by probing the first bytes and the name; the output format\n"
    "by OUT's extension (.json .jsonl .xml .csv .zip). OUT '-' is standard output. An OUT that is a\n"
    "folder (or ends in '/') receives one file per document (or per table for wide CSV).\n"
    "\n"
    "  --from FMT          read IN as FMT (json, xml, csv, archive)\n"
    "  --to FMT            write OUT as FMT\n"
    "  --encoding ENC      CSV: utf-8 or gb18030, for input (instead of detection) and output;\n"
    "                      --option input-encoding=ENC / output-encoding=ENC set one side\n"
    "  --layout LAYOUT     CSV output: lines (one record per cell, lossless; default) or wide\n"
    "                      (the published table layout; implies --to csv)\n"
    "  --money-unit UNIT   write every figure in 万元 or 元, exactly (31,214,205.80 元 is\n"
    "                      3121.420580 万元); the output's money_unit says which\n"
    "  --round N           round amounts to N decimals, half away from zero, and say how\n"
    "                      many cells changed (never done without asking)\n"
    "  --option KEY=VALUE  pass an option to the plugins, among them:\n"
    "                      bom=yes|no (CSV: a UTF-8 byte order mark so that Excel shows the\n"
    "                      Chinese text; default yes for wide tables, no for line items:\n"
    "                      give bom=yes for line items opened in a spreadsheet),\n"
    "                      json-lines=yes (JSON: one document a line even for one; a bulk\n"
    "                      and a .jsonl output always are), year=YYYY and money_unit=万元\n"
    "                      (wide CSV input),\n"
    "                      lines=yes (XML: source line of each row), member-format=json|xml|csv\n"
    "                      and package-name=NAME (archive output),\n"
    "                      publisher=TEXT, source=TEXT, source-path=URL, license=SPDX-ID\n"
    "                      (kept in JSON and XML documents and the archive's manifest);\n"
    "                      any other key is refused, but for keys named after a plugin\n"
    "                      (NAME or NAME.KEY)\n"
    "  --limit NAME=VALUE  limits: max-input-bytes, max-cells, max-string, max-depth,\n"
    "                      max-header-rows, max-entries, max-uncompressed, max-ratio,\n"
    "                      max-documents (values take K, M, G)\n"
    "  --jobs N            threads (default: one per core): inputs are read while documents\n"
    "                      are written; the output is the same for every N\n"
    "  --progress          show progress (documents done, inputs, rate) on standard error\n"
    "                      even when it is not a terminal, one line per update\n"
    "\n"
    "Examples:\n"
    "  budgetkit convert samples/dapeng-2024/budget.json /tmp/budget.xml\n"
    "  budgetkit convert --layout wide samples/dapeng-2024/budget.json /tmp/wide/\n"
    "  budgetkit convert a.json b.json bulk.zip\n"
    "\n"
    "The output appears only when the whole conversion succeeded; an existing file is kept\n"
    "untouched on failure.\n";

static const char info_help[] =
    "Usage: budgetkit info [--from FMT] [--format text|json] [--lang zh|en] IN\n"
    "Print a short summary of each document in IN: department, fiscal year, money unit,\n"
    "grand total (basic and project expenditure), units, the tables present with their row\n"
    "counts and grand totals. --format json prints one JSON object a document, one a line\n"
    "(amounts as exact decimal strings).\n"
    "\n"
    "Example:\n"
    "  budgetkit info samples/dapeng-2024/budget.json\n"
    "  budgetkit info --format json samples/dapeng-2024/budget.zip\n";

static const char validate_help[] =
    "Usage: budgetkit validate [OPTIONS] IN...\n"
    "       budgetkit validate --merge [OPTIONS] PART...\n"
    "Run the validators over every document (also each document inside an archive) and print\n"
    "a report. Exit 1 when an error is found, 0 otherwise, 2 when an input cannot be read.\n"
    "\n"
    "  --only LIST         run only these validators (comma list: codes,totals,narrative)\n"
    "  --skip LIST         do not run these\n"
    "  --strict            differences within rounding count as errors\n"
    "  --format FMT        text (default), json or html (one self-contained page: the\n"
    "                      tables drawn with the cells of findings marked)\n"
    "  --lang LANG         zh or en (default: from the locale)\n"
    "  --catalog FILE      a full code catalogue (CSV: scheme,code,name,level,source)\n"
    "  --option KEY=VALUE  pass an option to the validators\n"
    "  --jobs N            threads (default: one per core): inputs are read while documents\n"
    "                      are checked; the report is the same for every N\n"
    "  --progress          show progress (documents done, findings, inputs, rate) on standard\n"
    "                      error even when it is not a terminal, one line per update\n"
    "  --partial FILE      batch processing: leave the rules across documents (department =\n"
    "                      sum of units, one name per code) to a later --merge and write what\n"
    "                      they need to FILE (formats/partial.md); the report has the rest\n"
    "  --merge             the inputs are partial files, in the order of their documents:\n"
    "                      report what the rules across documents find over them all\n"
    "  --fix-suggestions OUT  also write the input with the likely wrong cells corrected to OUT\n"
    "                      (format by extension), for review: only corrections that are the\n"
    "                      only explanation of their findings; never over an input\n"
    "\n"
    "Example:\n"
    "  budgetkit validate samples/dapeng-2024/budget.json\n"
    "  budgetkit validate --fix-suggestions corrected.json budget.json\n"
    "  budgetkit validate --partial part1.jsonl units-1.zip\n"
    "  budgetkit validate --merge part1.jsonl part2.jsonl\n";

static const char consolidate_help[] =
    "Usage: budgetkit consolidate [OPTIONS] IN... OUT\n"
    "Build one department budget (部门汇总) from the budgets of its units. Every IN (file,\n"
    "folder, archive, - for standard input) holds unit budgets of one department. OUT gets\n"
    "every unit's rows as submitted and the department's rows: the exact sum of the units'\n"
    "figures per row (code or name) and column, with percentages and differences recomputed\n"
    "from the sums (formats/consolidate.md). Department rows an input already prints are kept\n"
    "and compared with the sums; differences are reported like 'budgetkit validate' does.\n"
    "\n"
    "  --money-unit UNIT   convert every input to UNIT (万元 or 元) instead of refusing inputs\n"
    "                      in different money units\n"
    "  --from FMT, --to FMT  input and output formats (default: probed, OUT's extension)\n"
    "  --strict            differences within rounding count as errors\n"
    "  --format FMT        the report of differences: text (default) or json\n"
    "  --lang LANG         zh or en (default: from the locale)\n"
    "\n"
    "Exit status: 0 written, 1 written but a printed department row differs from its units'\n"
    "sum, 2 an input cannot be read or the inputs conflict (another department, year or money\n"
    "unit, the same unit twice, one code with two names): then nothing is written.\n"
    "\n"
    "Example:\n"
    "  budgetkit consolidate units/*.json department.json\n";

static const char diff_help[] =
    "Usage: budgetkit diff [OPTIONS] A B\n"
    "Compare two budgets (files, folders or archives of budgets) cell by cell: rows are matched\n"
    "by table, unit, code (else name) and column. Prints changed figures with the old and new\n"
    "value, the difference and the percentage, rows and tables only on one side, renamed and\n"
    "recoded rows, changed narrative paragraphs, and a summary per unit (formats/diff.md).\n"
    "Documents of two bulks are paired by department and units.\n"
    "\n"
    "  --years             A and B are consecutive years: compare B's previous-year figures\n"
    "                      (表5's 2023 columns, 表9's 2023 row) with A's own, and name the\n"
    "                      printed codes the catalogue renamed, recoded, split or merged\n"
    "  --code-changes FILE the catalogue's changes between the years (CSV, formats/catalog/\n"
    "                      changes/README.md), besides those in the data folder\n"
    "  --format FMT        text (default), json, or html (one page: A and B side by side per\n"
    "                      table, changed cells marked)\n"
    "  --lang LANG         zh or en (default: from the locale)\n"
    "  --from FMT          read both as FMT\n"
    "\n"
    "Exit status: 0 equal, 1 different, 2 an input cannot be read.\n"
    "\n"
    "Example:\n"
    "  budgetkit diff first.json resubmitted.json\n";

static const char plugins_help[] =
    "Usage: budgetkit plugins\n"
    "List every plugin found (name, version, kinds, extensions, file) and every file that was\n"
    "skipped, with the reason. Plugins are searched in --plugin-path, then\n"
    "BUDGETKIT_PLUGIN_PATH, then the install folder (or the build tree when run from it).\n";

/* Options every command takes. Returns 1 when handled, -1 on a bad value. */
static int common_option(common *c, int opt, const char *arg, const char *cmd)
{
    bk_error err;
    bk_error_clear(&err);
    switch (opt) {
    case 'P':
        return bk_ctx_add_plugin_path(c->ctx, arg) == BK_OK ? 1 : -1;
    case 'D':
        return bk_ctx_set_data_dir(c->ctx, arg) == BK_OK ? 1 : -1;
    case 'L': {
        const char *eq = strchr(arg, '=');
        char name[64];
        if (!eq || (size_t)(eq - arg) >= sizeof name)
            return usage_error(cmd, "--limit takes NAME=VALUE, not '%s'", arg), -1;
        snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
        if (bk_ctx_set_limit(c->ctx, name, eq + 1, &err) != BK_OK) {
            print_error(&err);
            return -1;
        }
        return 1;
    }
    case 'O': {
        const char *eq = strchr(arg, '=');
        char key[64];
        if (!eq || (size_t)(eq - arg) >= sizeof key)
            return usage_error(cmd, "--option takes KEY=VALUE, not '%s'", arg), -1;
        snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
        if (c->nkeys == sizeof c->keys / sizeof *c->keys)
            return usage_error(cmd, "more than 64 --option given, at '%s'", arg), -1;
        c->keys[c->nkeys++] = arg;
        c->cmd = cmd;
        return bk_ctx_set_option(c->ctx, key, eq + 1) == BK_OK ? 1 : -1;
    }
    case 'Y':
        return bk_ctx_set_option(c->ctx, "layout-family", arg) == BK_OK ? 1 : -1;
    case 'f':
        c->from = arg;
        return 1;
    case 'g':
        return set_lang(c->ctx, arg, cmd) ? -1 : 1;
    }
    return 0;
}

/* Options every command takes, besides its own. */
static const struct option common_options[] = {
    {"plugin-path", required_argument, 0, 'P'}, {"data-dir", required_argument, 0, 'D'},
    {"limit", required_argument, 0, 'L'},       {"option", required_argument, 0, 'O'},
    {"from", required_argument, 0, 'f'},        {"help", no_argument, 0, 'h'},
    {"lang", required_argument, 0, 'g'},        {"layout-family", required_argument, 0, 'Y'}};

/* A command as its usage errors name it ("convert "), its help and its own options. */
typedef struct command {
    const char *name;
    const char *help;
    const struct option *own; /* ends with a zero entry */
} command;

/* The next of a command's own options, once help, the options every command takes and an
 * unknown option have been dealt with here. Returns the option, 0 when the operands follow,
 * or -1 when the command is to end with exit status *status. The command's own options are
 * looked up first, by their entry rather than their value: its --lang (the output's language
 * in diff and consolidate) is its own, and validate's --partial does not read as
 * --plugin-path although both are 'P'. */
static int next_option(common *c, int argc, char **argv, const command *cmd, int *status)
{
    enum { NCOMMON = sizeof common_options / sizeof common_options[0] };
    struct option all[32 + NCOMMON + 1];
    size_t n = 0;
    for (; cmd->own[n].name && n < 32; n++)
        all[n] = cmd->own[n];
    size_t nown = n;
    for (size_t i = 0; i < NCOMMON; i++) {
        size_t k = 0;
        while (k < nown && strcmp(all[k].name, common_options[i].name) != 0)
            k++;
        if (k == nown)
            all[n++] = common_options[i];
    }
    all[n] = (struct option){0, 0, 0, 0};
    for (;;) {
        int entry = -1;
        int opt = getopt_long(argc, argv, "h", all, &entry);
        if (opt == -1)
            return 0;
        if (entry >= 0 && (size_t)entry < nown)
            return opt;
        if (opt == 'h') {
            fputs(cmd->help, stdout);
            *status = 0;
            return -1;
        }
        int r = opt == '?' ? 0 : common_option(c, opt, optarg, cmd->name);
        if (r <= 0) {
            *status = r < 0 ? EXIT_BAD : usage_error(cmd->name, "%s", "unknown option");
            return -1;
        }
    }
}

/* Commands that read or write budgets need plugins; finding none is the cause to report,
 * not the "cannot tell the format" that would follow. */
static int load_plugins(common *c)
{
    bk_error err;
    bk_error_clear(&err);
    if (bk_ctx_load_plugins(c->ctx, &err) != BK_OK) {
        print_error(&err);
        return EXIT_BAD;
    }
    if (bk_ctx_plugin_count(c->ctx) == 0) {
        fprintf(stderr, "budgetkit: ");
        fprintf(stderr, msg("no plugins found in %s (see 'budgetkit plugins'; --plugin-path or "
                            "BUDGETKIT_PLUGIN_PATH add folders)"),
                bk_ctx_plugin_dirs(c->ctx));
        fprintf(stderr, "\n");
        return EXIT_BAD;
    }
    /* A misspelt key (encodng=) must not be ignored silently: a key is budgetkit's own, or
     * named after a loaded plugin (NAME or NAME.KEY) for plugins of one's own. */
    for (size_t i = 0; i < c->nkeys; i++) {
        size_t len = strcspn(c->keys[i], "=");
        const char *const *known = bk_option_names();
        int ok = 0;
        for (size_t k = 0; known[k] && !ok; k++)
            ok = strlen(known[k]) == len && strncmp(known[k], c->keys[i], len) == 0;
        for (size_t p = 0; p < bk_ctx_plugin_count(c->ctx) && !ok; p++) {
            const char *name = bk_ctx_plugin_at(c->ctx, p, NULL)->name;
            size_t n = strlen(name);
            ok = n <= len && strncmp(name, c->keys[i], n) == 0 &&
                 (n == len || c->keys[i][n] == '.');
        }
        if (!ok) {
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)len, c->keys[i]);
            return usage_error(c->cmd, "no option is called \"%s\" (--help lists them)", key);
        }
    }
    return 0;
}

/* The plugins and an empty report, for the commands that report findings; NULL when either
 * cannot be had (what went wrong is said). */
static bk_report *load_plugins_for_report(common *c)
{
    if (load_plugins(c))
        return NULL;
    bk_report *report = bk_report_new();
    if (!report)
        fprintf(stderr, "budgetkit: %s\n", msg("out of memory"));
    return report;
}

static int cmd_convert(common *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"to", required_argument, 0, 't'},         {"encoding", required_argument, 0, 'e'},
        {"layout", required_argument, 0, 'l'},     {"money-unit", required_argument, 0, 'M'},
        {"round", required_argument, 0, 'R'},      {"jobs", required_argument, 0, 'j'},
        {"progress", no_argument, 0, 'p'},         {0, 0, 0, 0}};
    static const command cmd = {"convert ", convert_help, own};
    int opt, status;
    const char *jobs = NULL;
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        switch (opt) {
        case 't': c->to = optarg; continue;
        case 'j': jobs = optarg; continue;
        case 'p': c->diag->progress = c->diag->asked = 1; continue;
        }
        const char *key = opt == 'e' ? "encoding" : opt == 'l' ? "layout"
                          : opt == 'M' ? "output-money-unit" : "output-round";
        if (bk_ctx_set_option(c->ctx, key, optarg) != BK_OK)
            return EXIT_BAD;
    }
    if (opt < 0)
        return status;
    int n = argc - optind;
    if (n < 2)
        return usage_error("convert ", "%s", "convert needs at least one input and an output");
    if (!c->to && bk_ctx_option(c->ctx, "layout")) /* only CSV has layouts */
        c->to = "csv";
    if (set_jobs(c->ctx, jobs, "convert "))
        return EXIT_BAD;
    if (load_plugins(c))
        return EXIT_BAD;
    bk_error err;
    bk_error_clear(&err);
    bk_convert_stats stats;
    if (bk_convert(c->ctx, (const char *const *)argv + optind, (size_t)n - 1, argv[argc - 1],
                   c->from, c->to, &stats, &err) != BK_OK) {
        print_error(&err);
        return EXIT_BAD;
    }
    if (isatty(STDERR_FILENO) && strcmp(argv[argc - 1], "-") != 0) {
        fprintf(stderr, "budgetkit: ");
        fprintf(stderr, msg("wrote %s: %zu documents, %zu cells"), argv[argc - 1],
                stats.documents, stats.cells);
        fprintf(stderr, "\n");
    }
    return 0;
}

/* A label of info's text output, in the chosen language, padded to 13 columns on a terminal
 * (a Chinese character takes two). */
static void label(const char *en)
{
    const char *text = msg(en);
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x80)
            width++;
        else if (*p >= 0xE0)
            width += 2;
    printf("%s", text);
    for (; width < 13; width++)
        putchar(' ');
}

typedef struct info_run {
    size_t count;
    int json;
} info_run;

static void json_string(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void json_amount(const char *key, int has, bk_decimal d)
{
    char buf[BK_DECIMAL_BUFSIZE];
    printf(",\"%s\":", key);
    if (!has) {
        printf("null");
        return;
    }
    bk_decimal_format(d, 0, buf, sizeof buf);
    json_string(buf); /* exact decimal text, as in the canonical JSON */
}

/* info --format json: one object a document, one line each (JSON Lines). */
static void print_info_json(const bk_doc *doc)
{
    bk_summary sum;
    bk_doc_summary(doc, &sum);
    printf("{\"document\":");
    json_string(doc->source ? doc->source : "-");
    printf(",\"department\":{\"name\":");
    json_string(sum.department);
    if (sum.dept_code) {
        printf(",\"code\":");
        json_string(sum.dept_code);
    }
    printf("},\"fiscal_year\":%d,\"money_unit\":", sum.fiscal_year);
    json_string(sum.money_unit);
    printf(",\"precision\":%d", sum.precision);
    json_amount("grand_total", sum.has_grand_total, sum.grand_total);
    json_amount("basic", sum.has_basic, sum.basic);
    json_amount("project", sum.has_project, sum.project);
    printf(",\"units\":[");
    for (size_t i = 0; i < doc->nunits; i++) {
        printf("%s{\"id\":", i ? "," : "");
        json_string(doc->units[i].id);
        printf(",\"kind\":");
        json_string(bk_unit_kind_name(doc->units[i].kind));
        printf(",\"name\":");
        json_string(doc->units[i].name);
        printf("}");
    }
    printf("],\"tables\":[");
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        bk_decimal d;
        int has = bk_table_grand_total(doc, t, &d);
        printf("%s{\"id\":", i ? "," : "");
        json_string(t->tpl->id);
        printf(",\"title\":");
        json_string(t->tpl->title);
        printf(",\"rows\":%zu", t->nrows);
        json_amount("total", has, d);
        printf("}");
    }
    printf("],\"cells\":%zu,\"goals\":%zu,\"indicators\":%zu,\"narrative_parts\":%zu}\n",
           sum.cells, sum.goals, sum.indicators, sum.narrative_parts);
}

static bk_status print_info(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    info_run *run = user;
    if (run->json) {
        print_info_json(doc);
        return BK_OK;
    }
    if (run->count++)
        printf("\n");
    label("document");
    printf("%s\n", doc->source ? doc->source : "-");
    label("department");
    printf("%s%s%s%s\n", doc->dept_name, doc->dept_code ? " (" : "",
           doc->dept_code ? doc->dept_code : "", doc->dept_code ? ")" : "");
    label("fiscal year");
    printf("%d\n", doc->fiscal_year);
    label("money unit");
    printf(msg("%s, %d decimals"), doc->money_unit, doc->precision);
    printf("\n");
    bk_summary sum;
    bk_doc_summary(doc, &sum);
    if (sum.has_grand_total) {
        char g[BK_DECIMAL_BUFSIZE], b[BK_DECIMAL_BUFSIZE] = "-", p[BK_DECIMAL_BUFSIZE] = "-";
        bk_decimal_format(sum.grand_total, 1, g, sizeof g);
        if (sum.has_basic)
            bk_decimal_format(sum.basic, 1, b, sizeof b);
        if (sum.has_project)
            bk_decimal_format(sum.project, 1, p, sizeof p);
        label("grand total");
        printf(msg("%s (basic %s, project %s)"), g, b, p);
        printf("\n");
    }
    label("units");
    printf("%zu\n", doc->nunits);
    for (size_t i = 0; i < doc->nunits; i++)
        printf("  %-10s %-10s %s\n", doc->units[i].id, bk_unit_kind_name(doc->units[i].kind),
               doc->units[i].name);
    label("tables");
    printf(msg("%zu, %zu cells with a value"), doc->ntables, bk_doc_cell_count(doc));
    printf("\n");
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        char buf[BK_DECIMAL_BUFSIZE];
        bk_decimal d;
        const char *total = NULL;
        if (bk_table_grand_total(doc, t, &d)) {
            bk_decimal_format(d, 1, buf, sizeof buf);
            total = buf;
        }
        printf("  %-4s %4zu %-4s  %14s  %s\n", t->tpl->id, t->nrows, msg("rows"),
               total ? total : "", t->tpl->title);
    }
    if (doc->performance.present) {
        label("performance");
        printf(msg("%zu goals, %zu indicators"), doc->performance.ngoals,
               doc->performance.nindicators);
        printf("\n");
    }
    if (doc->nnarrative) {
        label("narrative");
        printf(msg("%zu parts"), doc->nnarrative);
        printf("\n");
    }
    return BK_OK;
}

static int cmd_info(common *c, int argc, char **argv)
{
    static const struct option own[] = {{"format", required_argument, 0, 'F'}, {0, 0, 0, 0}};
    static const command cmd = {"info ", info_help, own};
    int opt, status;
    info_run run = {0, 0};
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
            return usage_error("info ", "--format is text or json, not '%s'", optarg);
        run.json = strcmp(optarg, "json") == 0;
    }
    if (opt < 0)
        return status;
    if (argc - optind != 1)
        return usage_error("info ", "%s", "info takes one input");
    if (load_plugins(c))
        return EXIT_BAD;
    bk_error err;
    bk_error_clear(&err);
    if (bk_read(c->ctx, argv[optind], c->from, print_info, &run, &err) != BK_OK) {
        print_error(&err);
        return EXIT_BAD;
    }
    return 0;
}

static bk_status html_document(const bk_doc *doc, const bk_report *report, size_t first,
                               void *user, bk_error *err)
{
    bk_status st = bk_html_document(user, doc, report, first);
    if (st != BK_OK)
        bk_error_set(err, st, "cannot write the HTML report");
    return st;
}

static int cmd_validate(common *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"only", required_argument, 0, 'o'},      {"skip", required_argument, 0, 's'},
        {"strict", no_argument, 0, 'S'},          {"format", required_argument, 0, 'F'},
        {"catalog", required_argument, 0, 'c'},   {"fix-suggestions", required_argument, 0, 'X'},
        {"jobs", required_argument, 0, 'j'},      {"progress", no_argument, 0, 'p'},
        {"partial", required_argument, 0, 'P'},   {"merge", no_argument, 0, 'M'},
        {0, 0, 0, 0}};
    static const command cmd = {"validate ", validate_help, own};
    const char *only = NULL, *skip = NULL, *format = "text", *fixes = NULL, *jobs = NULL;
    const char *partial = NULL;
    int strict = 0, merge = 0, opt, status;
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        switch (opt) {
        case 'o': only = optarg; continue;
        case 's': skip = optarg; continue;
        case 'S': strict = 1; continue;
        case 'F': format = optarg; continue;
        case 'X': fixes = optarg; continue;
        case 'j': jobs = optarg; continue;
        case 'p': c->diag->progress = c->diag->asked = 1; continue;
        case 'P': partial = optarg; continue;
        case 'M': merge = 1; continue;
        case 'c':
            if (bk_ctx_set_option(c->ctx, "catalog", optarg) != BK_OK)
                return EXIT_BAD;
            continue;
        }
    }
    if (opt < 0)
        return status;
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "html") != 0)
        return usage_error("validate ", "--format is text, json or html, not '%s'", format);
    if (argc - optind < 1)
        return usage_error("validate ", "%s", "validate needs at least one input");
    if (merge && (partial || fixes || only || skip || strcmp(format, "html") == 0))
        return usage_error("validate ", "%s", "--merge runs the validators that wrote the partial "
                           "files: it takes no --partial, --fix-suggestions, --only, --skip or "
                           "--format html");
    if (strict && bk_ctx_set_option(c->ctx, "strict", "1") != BK_OK)
        return EXIT_BAD;
    if (set_jobs(c->ctx, jobs, "validate "))
        return EXIT_BAD;
    bk_report *report = load_plugins_for_report(c);
    if (!report)
        return EXIT_BAD;
    bk_error err;
    bk_error_clear(&err);
    bk_report_options ro = {strict, msg_zh, 0};
    bk_html *html = NULL;
    if (strcmp(format, "html") == 0 && !(html = bk_html_begin(&ro))) {
        fprintf(stderr, "budgetkit: cannot make a temporary file for the HTML report\n");
        bk_report_free(report);
        return EXIT_BAD;
    }
    /* Findings are written as each document is done, unless something needs them all. */
    int streamed = !html && !fixes;
    if (streamed && bk_report_stream(report, &ro, strcmp(format, "json") == 0, stdout) != 0) {
        fprintf(stderr, "budgetkit: out of memory\n");
        bk_report_free(report);
        return EXIT_BAD;
    }
    bk_status st =
        merge ? bk_validate_merge(c->ctx, (const char *const *)argv + optind,
                                  (size_t)(argc - optind), report, &err)
              : bk_validate_partial(c->ctx, (const char *const *)argv + optind,
                                    (size_t)(argc - optind), c->from, only, skip, report,
                                    html ? html_document : NULL, html, partial, &err);
    if (st != BK_OK) {
        print_error(&err);
        bk_html_free(html);
        bk_report_free(report);
        return EXIT_BAD;
    }
    size_t errors = streamed ? bk_report_finish(report)
                    : html ? bk_html_end(html, report, stdout)
                    : strcmp(format, "json") == 0 ? bk_report_write_json(report, &ro, stdout)
                                                  : bk_report_write_text(report, &ro, stdout);
    if (fixes) {
        size_t applied = 0, left = 0;
        st = bk_fix_suggestions(c->ctx, (const char *const *)argv + optind,
                                (size_t)(argc - optind), c->from, report, fixes, c->to,
                                &applied, &left, &err);
        if (st != BK_OK) {
            print_error(&err);
            bk_html_free(html);
            bk_report_free(report);
            return EXIT_BAD;
        }
        fprintf(stderr, "budgetkit: %zu correction%s written to %s for review", applied,
                applied == 1 ? "" : "s", fixes);
        if (left)
            fprintf(stderr, "; %zu left out: several cells fit equally, a person must choose",
                    left);
        fputc('\n', stderr);
    }
    bk_html_free(html);
    bk_report_free(report);
    return errors ? EXIT_FINDINGS : 0;
}

/* Messages in zh or en: --lang, else the locale. NULL for a bad value. */
static const char *pick_lang(const char *lang)
{
    if (!lang) {
        const char *l = setlocale(LC_MESSAGES, NULL);
        const char *env = getenv("LANG");
        lang = (l && strncmp(l, "zh", 2) == 0) || (env && strncmp(env, "zh", 2) == 0) ? "zh" : "en";
    }
    return strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0 ? lang : NULL;
}

static int cmd_consolidate(common *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"to", required_argument, 0, 't'},     {"money-unit", required_argument, 0, 'm'},
        {"strict", no_argument, 0, 'S'},       {"format", required_argument, 0, 'F'},
        {"lang", required_argument, 0, 'g'},   {0, 0, 0, 0}};
    static const command cmd = {"consolidate ", consolidate_help, own};
    const char *format = "text", *lang = NULL;
    bk_consolidate_options co = {NULL};
    int strict = 0, opt, status;
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        switch (opt) {
        case 't': c->to = optarg; continue;
        case 'm': co.money_unit = optarg; continue;
        case 'S': strict = 1; continue;
        case 'F': format = optarg; continue;
        case 'g': lang = optarg; continue;
        }
    }
    if (opt < 0)
        return status;
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return usage_error("consolidate ", "--format is text or json, not '%s'", format);
    const char *l = pick_lang(lang);
    if (!l)
        return usage_error("consolidate ", "--lang is zh or en, not '%s'", lang);
    int n = argc - optind;
    if (n < 2)
        return usage_error("consolidate ", "%s", "consolidate needs at least one input and an output");
    bk_report *report = load_plugins_for_report(c);
    if (!report)
        return EXIT_BAD;
    bk_error err;
    bk_error_clear(&err);
    bk_consolidate_stats stats;
    const char *out = argv[argc - 1];
    if (bk_consolidate(c->ctx, (const char *const *)argv + optind, (size_t)n - 1, out, c->from,
                       c->to, &co, report, &stats, &err) != BK_OK) {
        print_error(&err);
        bk_report_free(report);
        return EXIT_BAD;
    }
    bk_report_options ro = {strict, strcmp(l, "zh") == 0, 0};
    /* The report goes where the document does not. */
    FILE *rep = strcmp(out, "-") == 0 ? stderr : stdout;
    size_t errors = 0;
    if (bk_report_count(report) > 0 || strcmp(format, "json") == 0)
        errors = strcmp(format, "json") == 0 ? bk_report_write_json(report, &ro, rep)
                                             : bk_report_write_text(report, &ro, rep);
    if (strcmp(out, "-") != 0)
        fprintf(stderr, ro.chinese ? "budgetkit: 已写入 %s：%zu 个单位%s（%zu 份文件%s），%zu 个单元格\n"
                                   : "budgetkit: wrote %s: %zu unit%s from %zu document%s, %zu cells\n",
                out, stats.units, ro.chinese ? "" : stats.units == 1 ? "" : "s", stats.documents,
                ro.chinese ? "" : stats.documents == 1 ? "" : "s", stats.cells);
    bk_report_free(report);
    return errors ? EXIT_FINDINGS : 0;
}

/* The page is written once every pair is compared: nothing on standard output on an error. */
static int diff_html(common *c, const char *a, const char *b, bk_diff_options *o, int zh)
{
    bk_diff_html *h = bk_diff_html_new(zh, a, b, o->years);
    if (!h)
        return EXIT_BAD;
    o->pair = bk_diff_html_pair;
    bk_error err;
    bk_error_clear(&err);
    bk_diff_stats stats = {0, 0, 0};
    bk_status st = bk_diff(c->ctx, a, b, c->from, o, bk_diff_html_change, h, &stats, &err);
    if (st != BK_OK) {
        print_error(&err);
        bk_diff_html_free(h);
        return EXIT_BAD;
    }
    size_t n = bk_diff_html_finish(h, &stats, stdout);
    bk_diff_html_free(h);
    return n ? EXIT_FINDINGS : 0;
}

static int cmd_diff(common *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"years", no_argument, 0, 'y'},           {"code-changes", required_argument, 0, 'K'},
        {"format", required_argument, 0, 'F'},    {"lang", required_argument, 0, 'g'},
        {0, 0, 0, 0}};
    static const command cmd = {"diff ", diff_help, own};
    const char *format = "text", *lang = NULL;
    bk_diff_options o = {0};
    int opt, status;
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        switch (opt) {
        case 'y': o.years = 1; continue;
        case 'K': o.code_changes = optarg; continue;
        case 'F': format = optarg; continue;
        case 'g': lang = optarg; continue;
        }
    }
    if (opt < 0)
        return status;
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "html") != 0)
        return usage_error("diff ", "--format is text, json or html, not '%s'", format);
    const char *l = pick_lang(lang);
    if (!l)
        return usage_error("diff ", "--lang is zh or en, not '%s'", lang);
    if (argc - optind != 2)
        return usage_error("diff ", "%s", "diff takes two inputs");
    if (load_plugins(c))
        return EXIT_BAD;
    const char *a = argv[optind], *b = argv[optind + 1];
    if (strcmp(format, "html") == 0)
        return diff_html(c, a, b, &o, strcmp(l, "zh") == 0);
    bk_diff_printer *p = bk_diff_printer_new(stdout, strcmp(format, "json") == 0,
                                             strcmp(l, "zh") == 0, a, b, o.years);
    if (!p)
        return EXIT_BAD;
    bk_error err;
    bk_error_clear(&err);
    bk_diff_stats stats = {0, 0, 0};
    bk_status st = bk_diff(c->ctx, a, b, c->from, &o, bk_diff_printer_change, p, &stats, &err);
    if (st != BK_OK) {
        fflush(stdout);
        print_error(&err);
        bk_diff_printer_free(p);
        return EXIT_BAD;
    }
    size_t n = bk_diff_printer_finish(p, &stats);
    bk_diff_printer_free(p);
    return n ? EXIT_FINDINGS : 0;
}

static int cmd_plugins(common *c, int argc, char **argv)
{
    static const struct option own[] = {{0, 0, 0, 0}};
    static const command cmd = {"plugins ", plugins_help, own};
    int status;
    if (next_option(c, argc, argv, &cmd, &status) < 0)
        return status;
    bk_error err;
    bk_error_clear(&err);
    if (bk_ctx_load_plugins(c->ctx, &err) != BK_OK) {
        print_error(&err);
        return EXIT_BAD;
    }
    size_t n = bk_ctx_plugin_count(c->ctx);
    printf("%zu plugin%s:\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const char *file;
        const bk_plugin_desc *d = bk_ctx_plugin_at(c->ctx, i, &file);
        char kinds[40] = "", exts[80] = "";
        if (d->kinds & BK_PLUGIN_IMPORT)
            strcat(kinds, "import,");
        if (d->kinds & BK_PLUGIN_EXPORT)
            strcat(kinds, "export,");
        if (d->kinds & BK_PLUGIN_VALIDATE)
            strcat(kinds, "validate,");
        kinds[strlen(kinds) - 1] = '\0';
        for (const char *const *e = d->extensions; e && *e; e++) {
            size_t l = strlen(exts);
            snprintf(exts + l, sizeof exts - l, "%s.%s", l ? " " : "", *e);
        }
        printf("  %-10s %-8s %-22s %-8s %s\n", d->name, d->version, kinds, exts[0] ? exts : "-",
               file);
    }
    size_t ns = bk_ctx_skipped_count(c->ctx);
    if (ns) {
        printf("%zu file%s skipped:\n", ns, ns == 1 ? "" : "s");
        for (size_t i = 0; i < ns; i++) {
            const char *file, *reason;
            bk_ctx_skipped_at(c->ctx, i, &file, &reason);
            printf("  %s: %s\n", file, reason);
        }
    }
    printf("plugin folders: %s\n", bk_ctx_plugin_dirs(c->ctx));
    printf("data folder: %s\n", bk_ctx_data_dir(c->ctx));
    return 0;
}

static int cmd_layouts(common *c, int argc, char **argv)
{
    static const struct option own[] = {{"format", required_argument, 0, 'F'}, {0, 0, 0, 0}};
    static const command cmd = {"layouts ", layouts_help, own};
    int opt, json = 0, status;
    while ((opt = next_option(c, argc, argv, &cmd, &status)) > 0) {
        if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
            return usage_error("layouts ", "--format is text or json, not '%s'", optarg);
        json = strcmp(optarg, "json") == 0;
    }
    if (opt < 0)
        return status;
    if (argc - optind > 1)
        return usage_error("layouts ", "%s", "layouts takes at most one family");
    bk_error err;
    bk_error_clear(&err);
    const bk_templates *set = bk_ctx_templates(c->ctx, &err);
    if (!set) {
        print_error(&err);
        return EXIT_BAD;
    }
    const char *only = optind < argc ? argv[optind] : NULL;
    int r = layouts_print(set, only, json, stdout);
    if (r < 0) {
        fprintf(stderr, "budgetkit: %s\n", msg("out of memory"));
        return EXIT_BAD;
    }
    return r ? usage_error("layouts ", "no layout family '%s'", only) : 0;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error, seen where it can be cleaned up */

    /* Global options may come before the command. */
    common c = {.ctx = bk_ctx_new()};
    if (!c.ctx) {
        fprintf(stderr, "budgetkit: out of memory\n");
        return EXIT_BAD;
    }
    diag_state diag = {.tty = isatty(STDERR_FILENO), .interval = 0.25};
    diag.progress = diag.tty;
    diag.started = diag.last = now_seconds();
    const char *interval = getenv("BUDGETKIT_PROGRESS_INTERVAL");
    if (interval && *interval) {
        char *end;
        double v = strtod(interval, &end);
        if (*end == '\0' && v >= 0 && v <= 3600)
            diag.interval = v;
    }
    bk_ctx_set_diagnostics(c.ctx, on_diag, &diag);
    c.diag = &diag;
    shown_progress = &diag;
    msg_zh = msg_locale_is_zh();
    if (bk_ctx_set_option(c.ctx, "lang", msg_zh ? "zh" : "en") != BK_OK) {
        bk_ctx_free(c.ctx);
        return EXIT_BAD;
    }
    int i = 1, rc = -1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("budgetkit %s (plugin ABI %d.%d)\n", bk_version(), BK_ABI_MAJOR, BK_ABI_MINOR);
            rc = 0;
            break;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(main_help, stdout);
            rc = 0;
            break;
        }
        int opt = strcmp(argv[i], "--plugin-path") == 0 ? 'P'
                  : strcmp(argv[i], "--data-dir") == 0  ? 'D'
                  : strcmp(argv[i], "--limit") == 0     ? 'L'
                  : strcmp(argv[i], "--lang") == 0      ? 'g'
                  : strcmp(argv[i], "--layout-family") == 0 ? 'Y'
                                                        : 0;
        if (!opt || i + 1 >= argc) {
            rc = usage_error(NULL, "unknown or incomplete global option '%s'", argv[i]);
            break;
        }
        if (common_option(&c, opt, argv[++i], "") < 0) {
            rc = EXIT_BAD;
            break;
        }
    }
    if (rc < 0) {
        if (i >= argc) {
            fputs(main_help, stderr);
            rc = EXIT_BAD;
        } else {
            const char *cmd = argv[i];
            int sub_argc = argc - i;
            char **sub_argv = argv + i;
            optind = 1;
            diag.converting = strcmp(cmd, "convert") == 0;
            static const struct {
                const char *name;
                int (*run)(common *c, int argc, char **argv);
            } commands[] = {{"convert", cmd_convert},   {"info", cmd_info},
                            {"validate", cmd_validate}, {"consolidate", cmd_consolidate},
                            {"diff", cmd_diff},         {"plugins", cmd_plugins},
                            {"layouts", cmd_layouts}};
            size_t k = 0, ncommands = sizeof commands / sizeof commands[0];
            while (k < ncommands && strcmp(cmd, commands[k].name) != 0)
                k++;
            if (k < ncommands)
                rc = commands[k].run(&c, sub_argc, sub_argv);
            else if (strcmp(cmd, "help") == 0) {
                fputs(main_help, stdout);
                rc = 0;
            } else
                rc = usage_error(NULL, "unknown command '%s'", cmd);
        }
    }
    bk_ctx_free(c.ctx);
    /* A report or listing that did not reach its reader is a failure, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout))
        end_if_stdout_closed();
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc != EXIT_BAD) {
        fprintf(stderr, "budgetkit: %s\n", msg("cannot write to standard output"));
        rc = EXIT_BAD;
    }
    return rc;
}
