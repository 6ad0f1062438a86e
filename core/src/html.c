/* The pieces of the HTML pages that the validation report and the differences share. */
#include "html.h"

#include <string.h>

void bk_html_esc_n(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; s && i < n && s[i]; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(s[i], out);
        }
    }
}

void bk_html_summary_row_start(FILE *out, size_t i, const char *name, const char *beside)
{
    fprintf(out, "<tr><td data-v=\"%zu\"><a href=\"#d%zu\">", i, i);
    bk_html_esc(out, name);
    fputs("</a></td><td data-v=\"", out);
    bk_html_esc(out, beside);
    fputs("\">", out);
    bk_html_esc(out, beside);
}

void bk_html_esc(FILE *out, const char *s)
{
    if (s)
        bk_html_esc_n(out, s, strlen(s));
}

void bk_html_esc_between(FILE *out, const char *before, const char *s, const char *after)
{
    if (!s)
        return;
    fputs(before, out);
    bk_html_esc(out, s);
    fputs(after, out);
}

void bk_html_dec(FILE *out, bk_decimal d, int grouped)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, grouped, buf, sizeof buf);
    fputs(buf, out);
}


void bk_html_table_header(FILE *out, const bk_template *tpl, int zh, int codes)
{
    size_t depth = 1;
    for (size_t c = 0; c < tpl->ncolumns; c++)
        if (tpl->columns[c].path_len > depth)
            depth = tpl->columns[c].path_len;
    for (size_t level = 0; level < depth; level++) {
        fputs("<tr>", out);
        if (level == 0)
        {
            if (codes)
                fprintf(out, "<th rowspan=\"%zu\">%s</th>", depth, zh ? "编码" : "code");
            fprintf(out, "<th rowspan=\"%zu\">%s</th>", depth, zh ? "项目" : "item");
        }
        for (size_t c = 0; c < tpl->ncolumns;) {
            const bk_column *col = &tpl->columns[c];
            if (col->path_len <= level) {
                c++;
                continue; /* covered by a rowspan from above */
            }
            /* columns sharing the path down to this level form one cell */
            size_t span = 1;
            while (c + span < tpl->ncolumns) {
                const bk_column *n = &tpl->columns[c + span];
                int same = n->path_len > level;
                for (size_t k = 0; k <= level && same; k++)
                    same = n->path[k] && col->path[k] && strcmp(n->path[k], col->path[k]) == 0;
                if (!same || col->path_len == level + 1 || n->path_len == level + 1)
                    break;
                span++;
            }
            size_t rows = col->path_len == level + 1 && span == 1 ? depth - level : 1;
            fprintf(out, "<th colspan=\"%zu\" rowspan=\"%zu\">", span, rows);
            bk_html_esc(out, col->path[level]);
            fputs("</th>", out);
            c += span;
        }
        fputs("</tr>\n", out);
    }
}


const char bk_html_style[] =
    "body{font:14px/1.45 system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h3{font-size:1.05em;margin:1.2em 0 .3em}"
    ".c{padding:0 .4em;border-radius:3px;white-space:nowrap}"
    ".s-error .sev,.c.s-error{background:#fdd;color:#900}.s-warning .sev,.c.s-warning{background:#ffe8b0;color:#740}"
    ".s-rounding .sev,.c.s-rounding{background:#e0ecff;color:#124}.s-info .sev,.c.s-info{background:#eee;color:#444}"
    ".sev{padding:0 .3em;border-radius:3px}"
    "table.grid{border-collapse:collapse;font-size:12px}"
    "table.grid th,table.grid td{border:1px solid #bbb;padding:2px 5px;vertical-align:top}"
    "table.grid th{background:#f3f3f3;font-weight:600}td.n{text-align:right;white-space:nowrap}"
    "tr.unit td,tr.total td{font-weight:600}td.code{font-family:monospace}td.name{min-width:12em}"
    "td.f-error{background:#f99;outline:2px solid #c00}td.f-warning{background:#fd8}"
    "td.f-rounding{background:#bcd8ff}td.f-info{background:#e4e4e4}"
    "td.f-explain{outline:3px double #60c;outline-offset:-3px}"
    "td.mark{cursor:pointer}td.sel{box-shadow:0 0 0 3px #000 inset}"
    ".scroll{overflow-x:auto}.label,.note{margin:.2em 0;color:#555;font-size:12px}"
    "ol.findings{padding-left:1.5em}li.finding{margin:.4em 0}"
    ".beside{display:flex;gap:1em;align-items:flex-start;margin:.3em 0}"
    "blockquote{margin:0;padding:.3em .6em;border-left:3px solid #999;background:#fafafa;flex:1}"
    "mark{background:#ff0;font-weight:600}table.vals th{text-align:left;padding-right:.6em}"
    "#detail{position:fixed;right:1em;bottom:1em;max-width:32em;background:#fff;border:1px solid #333;"
    "padding:.6em;box-shadow:0 2px 8px #0004;display:none}"
    "table.units th{cursor:pointer;text-align:left}table.units td{padding:0 .6em}"
    "details.doc{border-top:1px solid #ccc;padding:.4em 0}"
    "@page{size:A4;margin:12mm}"
    "@media print{body{margin:0;font-size:11px}#detail,.noprint{display:none}.scroll{overflow:visible}"
    "table.grid{font-size:9px}section.table{break-inside:avoid}}";

int bk_html_indent(const bk_row *row)
{
    int indent = row->level ? row->level - 1 : row->code ? (int)(strlen(row->code) - 3) / 2 : 0;
    return indent > 0 && indent < 8 ? indent + 1 : 0;
}

void bk_html_name_cell_end(FILE *out, const bk_row *row, const char *name)
{
    int indent = bk_html_indent(row);
    if (indent)
        fprintf(out, " style=\"padding-left:%dem\"", indent);
    fputs(" data-col=\"\">", out);
    bk_html_esc(out, name);
    fputs("</td>", out);
}

void bk_html_value_cell_end(FILE *out, const bk_column *col, const bk_cell *cell)
{
    fputs(" data-col=\"", out);
    bk_html_esc(out, col->id);
    fputs("\">", out);
    if (cell->kind == BK_CELL_NUMBER)
        bk_html_dec(out, bk_cell_decimal(cell), col->type == BK_COL_AMOUNT);
    else if (cell->kind == BK_CELL_TEXT)
        bk_html_esc(out, cell->v.text);
    fputs("</td>", out);
}

/* Selecting a marked cell (class mark, data-f=N) shows the list item fN beside it; printing opens
 * every document; a table of class units sorts by the column clicked. */
const char bk_html_script[] =
    "(function(){var d=document.getElementById('detail');"
    "document.addEventListener('click',function(e){var t=e.target.closest('td.mark');"
    "document.querySelectorAll('td.sel').forEach(function(x){x.classList.remove('sel')});"
    "if(!t){d.style.display='none';return;}t.classList.add('sel');"
    "var f=document.getElementById('f'+t.getAttribute('data-f'));"
    "d.innerHTML='';if(f){d.appendChild(f.cloneNode(true));d.style.display='block';}});"
    "window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach("
    "function(x){x.open=true})});"
    "document.querySelectorAll('table.units th').forEach(function(th,i){th.addEventListener('click',"
    "function(){var tb=th.closest('table').tBodies[0],rows=[].slice.call(tb.rows),"
    "asc=th.getAttribute('data-asc')!=='1';th.setAttribute('data-asc',asc?'1':'0');"
    "rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v'),y=b.cells[i].getAttribute('data-v');"
    "var nx=parseFloat(x),ny=parseFloat(y);var c=isNaN(nx)||isNaN(ny)?x.localeCompare(y):nx-ny;"
    "return asc?c:-c});rows.forEach(function(r){tb.appendChild(r)})})});})();";
