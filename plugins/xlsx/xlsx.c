/* The spreadsheet plugin: .xlsx workbooks in and out, .xls workbooks in (formats/xlsx.md).
 * Reading makes a grid of the displayed cells and leaves the tables to the layout engine. */
#include <string.h>
#include <strings.h>

#include "xlsx_int.h"

const bkxl_meta_field bkxl_meta_fields[BKXL_META_FIELDS] = {
    {"部门编码", "department_code"}, {"发布单位", "publisher"}, {"数据来源", "source"},
    {"来源地址", "source_path"},     {"许可协议", "license"},
};

static const unsigned char ole2_magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

static int is_ole2(const bk_probe *p)
{
    return p->head_len >= 8 && memcmp(p->head, ole2_magic, 8) == 0;
}

/* A workbook is a ZIP package whose first parts name [Content_Types].xml and the workbook;
 * budgetkit's own archives (plugin archive, probing 95) have neither. */
static int xlsx_probe(const bk_probe *p)
{
    if (p->is_dir)
        return 0;
    if (is_ole2(p))
        return bk_probe_has_extension(p, "xls") ? 96 : 60;
    /* A file named .zip is meant as an archive: the archive reader says what it is. */
    if (p->head_len < 4 || memcmp(p->head, "PK\x03\x04", 4) != 0 ||
        bk_probe_has_extension(p, "zip"))
        return 0;
    if (bk_probe_contains(p->head, p->head_len, "[Content_Types].xml") &&
        (bk_probe_contains(p->head, p->head_len, "xl/") || bk_probe_has_extension(p, "xlsx") ||
         bk_probe_has_extension(p, "xlsm")))
        return 98;
    if (bk_probe_has_extension(p, "xlsx") || bk_probe_has_extension(p, "xlsm"))
        return 97;
    return 0;
}

static bk_status xlsx_import(bk_import *job)
{
    size_t len = 0;
    const unsigned char *head = bk_source_head(bk_import_source(job), &len);
    if (len >= 8 && memcmp(head, ole2_magic, 8) == 0)
        return bkxl_read_xls(job);
    return bkxl_read_xlsx(job);
}

BK_PLUGIN(xlsx, .version = "1.0.0", .license = "MIT",
          .summary = "Excel and WPS workbooks (.xlsx in and out, .xls in), as finance offices keep "
                     "the published tables",
          .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT,
          .extensions = BK_PLUGIN_EXTENSIONS("xlsx", "xls", "xlsm"),
          .media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          .priority = 60, BK_PLUGIN_IMPORTER(xlsx), BK_PLUGIN_EXPORTER(bkxl))
