/* Messages of the command line in English and Chinese (messages.h). */
#include "messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int msg_zh;

typedef struct pair {
    const char *en, *zh;
} pair;

/* The command line's own messages, then the library's and plugins' most common ones. In a
 * library message any printf conversion stands for a variable part, written back as text. */
static const pair catalogue[] = {
    /* usage */
    {"unknown command '%s'", "未知命令“%s”"},
    {"unknown or incomplete global option '%s'", "未知或不完整的全局选项“%s”"},
    {"unknown option", "未知选项"},
    {"Try 'budgetkit %s--help'.", "请运行“budgetkit %s--help”查看用法。"},
    {"--limit takes NAME=VALUE, not '%s'", "--limit 的参数应为 NAME=VALUE，而不是“%s”"},
    {"--option takes KEY=VALUE, not '%s'", "--option 的参数应为 KEY=VALUE，而不是“%s”"},
    {"more than 64 --option given, at '%s'", "--option 超过 64 个，在“%s”处"},
    {"--lang is zh or en, not '%s'", "--lang 应为 zh 或 en，而不是“%s”"},
    {"--format is text or json, not '%s'", "--format 应为 text 或 json，而不是“%s”"},
    {"convert needs at least one input and an output", "convert 需要至少一个输入和一个输出"},
    {"info takes one input", "info 只接受一个输入"},
    {"validate needs at least one input", "validate 需要至少一个输入"},
    {"--merge runs the validators that wrote the partial files: it takes no --partial, "
     "--fix-suggestions, --only, --skip or --format html",
     "--merge 运行写出部分结果文件的校验器：不接受 --partial、--fix-suggestions、--only、--skip "
     "或 --format html"},
    {"the partial file would replace an input: name another file",
     "部分结果文件会覆盖输入文件：请另取文件名"},
    {"truncated: the file ends without its end line", "文件不完整：缺少结束行"},
    {"truncated: the last line ends without its newline", "文件不完整：最后一行没有换行符"},
    {"out of memory", "内存不足"},
    {"cannot write to standard output", "无法写入标准输出"},
    {"wrote %s: %zu documents, %zu cells", "已写入 %s：%zu 份文档，%zu 个单元格"},
    {"no plugins found in %s (see 'budgetkit plugins'; --plugin-path or BUDGETKIT_PLUGIN_PATH "
     "add folders)",
     "在 %s 中找不到插件（见“budgetkit plugins”；可用 --plugin-path 或 BUDGETKIT_PLUGIN_PATH "
     "添加目录）"},
    /* info */
    {"document", "文档"},
    {"department", "部门"},
    {"fiscal year", "预算年度"},
    {"money unit", "金额单位"},
    {"%s, %d decimals", "%s，%d 位小数"},
    {"grand total", "支出总计"},
    {"%s (basic %s, project %s)", "%s（基本支出 %s，项目支出 %s）"},
    {"units", "单位"},
    {"tables", "表格"},
    {"%zu, %zu cells with a value", "%zu 张，%zu 个有值单元格"},
    {"rows", "行"},
    {"performance", "绩效目标"},
    {"%zu goals, %zu indicators", "%zu 项目标，%zu 项指标"},
    {"narrative", "文字说明"},
    {"%zu parts", "%zu 部分"},
    /* library and plugins */
    {"cannot tell the format of this input; name it with --from",
     "无法判断此输入的格式；请用 --from 指定"},
    {"cannot tell the output format from the name; name it with --to",
     "无法从文件名判断输出格式；请用 --to 指定"},
    {"no such file or folder", "没有该文件或目录"},
    {"no input given", "未给出输入"},
    {"--option license \"%s\" is not an SPDX licence identifier (such as CC-BY-4.0: letters, "
     "digits, '.', '-', '+')",
     "--option license “%s”不是 SPDX 许可证标识符（如 CC-BY-4.0：字母、数字、“.”、“-”、“+”）"},
    {"--option publisher holds a control character", "--option publisher 含有控制字符"},
    {"--option source holds a control character", "--option source 含有控制字符"},
    {"--option source-path holds a control character", "--option source-path 含有控制字符"},
    {"the input holds no budget document", "输入中没有预算文档"},
    {"cannot open: %s", "无法打开：%s"},
    {"cannot read: %s", "无法读取：%s"},
    {"cannot open the folder: %s", "无法打开目录：%s"},
    {"is a folder, not a file", "是目录而不是文件"},
    {"exists and is not a folder", "已存在且不是目录"},
    {"cannot write the output", "无法写入输出"},
    {"cannot write the JSON output to %s", "无法将 JSON 输出写入 %s"},
    {"input is larger than the limit of %zu bytes (max-input-bytes)",
     "输入超过 %s 字节的上限（max-input-bytes）"},
    {"more than %llu documents (max-documents)", "文档超过 %s 份（max-documents）"},
    {"no limit is called \"%s\"", "没有名为“%s”的限制"},
    {"no option is called \"%s\" (--help lists them)", "没有名为“%s”的选项（--help 列出全部选项）"},
    {"limit %s: \"%s\" is not a number", "限制 %s：“%s”不是数字"},
    {"limit %s: \"%s\" is not a positive number (with optional K, M or G)",
     "限制 %s：“%s”不是正数（可带 K、M 或 G）"},
    {"no input format called \"%s\" (available: %s)", "没有名为“%s”的输入格式（可用：%s）"},
    {"no output format called \"%s\" (available: %s)", "没有名为“%s”的输出格式（可用：%s）"},
    {"no validator is selected (see budgetkit plugins)", "没有选中任何校验器（见 budgetkit plugins）"},
    {"the %s format holds one document and the input has more; write to a folder instead",
     "%s 格式只能容纳一份文档，而输入有多份；请改为输出到目录"},
    {"the wide layout holds one document and the input has more; use the line-item layout "
     "(--layout lines) for several",
     "宽表布局只能容纳一份文档，而输入有多份；多份文档请用明细布局（--layout lines）"},
    {"unknown encoding \"%s\" (expected utf-8 or gb18030)", "未知编码“%s”（应为 utf-8 或 gb18030）"},
    {"unknown CSV layout \"%s\" (expected lines or wide)", "未知 CSV 布局“%s”（应为 lines 或 wide）"},
    {"option bom=%s: expected yes or no", "选项 bom=%s：应为 yes 或 no"},
    {"option json-lines=%s: expected yes or no", "选项 json-lines=%s：应为 yes 或 no"},
    {"the %s reader failed", "%s 读取器出错"},
    {"the %s writer failed", "%s 写出器出错"},
    {"the %s validator failed", "%s 校验器出错"},
    {"an archive inside an archive is not accepted", "不接受压缩包内嵌套的压缩包"},
    {"the document names no department", "文档未写明部门"},
    {"the documents are not parts of one budget", "这些文档不属于同一份预算"},
};

#define NCATALOGUE (sizeof catalogue / sizeof catalogue[0])

int msg_locale_is_zh(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "zh", 2) == 0;
    }
    return 0;
}

const char *msg(const char *en)
{
    if (!msg_zh)
        return en;
    for (size_t i = 0; i < NCATALOGUE; i++)
        if (strcmp(catalogue[i].en, en) == 0)
            return catalogue[i].zh;
    return en;
}

/* Length of the printf conversion at p ('%' first), 0 when none. */
static size_t conversion(const char *p)
{
    if (p[0] != '%' || p[1] == '%')
        return 0;
    size_t n = 1;
    while (p[n] && strchr("0123456789.-+ #lhzjt", p[n]))
        n++;
    return p[n] ? n + 1 : 0;
}

/* Match text against an English pattern whose conversions match any non-empty text; the
 * variable parts are stored in cap (start, length). Returns 1 + their number, 0 on no match. */
static int match(const char *pat, const char *text, const char **cap, size_t *caplen, int ncap)
{
    for (;;) {
        size_t c = conversion(pat);
        if (c) {
            if (ncap >= 4)
                return 0;
            for (size_t len = strlen(text); len > 0; len--) {
                cap[ncap] = text;
                caplen[ncap] = len;
                int found = match(pat + c, text + len, cap, caplen, ncap + 1);
                if (found)
                    return found;
            }
            return 0;
        }
        if (*pat == '\0')
            return *text == '\0' ? ncap + 1 : 0;
        if (*pat == '%' && pat[1] == '%')
            pat++;
        if (*pat != *text)
            return 0;
        pat++, text++;
    }
}

void msg_translate(const char *en, char *out, size_t cap)
{
    snprintf(out, cap, "%s", en);
    if (!msg_zh)
        return;
    for (size_t i = 0; i < NCATALOGUE; i++) {
        const char *parts[4];
        size_t lens[4];
        int n = match(catalogue[i].en, en, parts, lens, 0);
        if (!n)
            continue;
        /* Write the Chinese text, each conversion replaced by the next variable part. */
        size_t o = 0;
        int k = 0;
        for (const char *z = catalogue[i].zh; *z && o + 1 < cap;) {
            size_t c = conversion(z);
            if (c && k < n - 1) {
                size_t len = lens[k] < cap - 1 - o ? lens[k] : cap - 1 - o;
                memcpy(out + o, parts[k], len);
                o += len, k++, z += c;
            } else {
                out[o++] = *z++;
            }
        }
        out[o] = '\0';
        return;
    }
}

static int count_conversions(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        if (*s == '%' && s[1] == '%')
            s++;
        else if (conversion(s))
            n++;
    }
    return n;
}

const char *msg_catalogue_problem(void)
{
    for (size_t i = 0; i < NCATALOGUE; i++)
        if (count_conversions(catalogue[i].en) != count_conversions(catalogue[i].zh))
            return catalogue[i].en;
    return NULL;
}
