/* Reading .xls workbooks (Excel 97-2003): not yet. */
#include "xlsx_int.h"

bk_status bkxl_read_xls(bk_import *job)
{
    bk_source *src = bk_import_source(job);
    bk_error *err = bk_import_error(job);
    bk_error_at(err, bk_source_name(src), 0, 0, -1);
    return bk_error_set(err, BK_E_CONTENT, "this is an Excel 97-2003 workbook (.xls); save it "
                        "as .xlsx and read that");
}
