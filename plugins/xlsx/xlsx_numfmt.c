/* What a number cell displays: the stored double rendered with the cell's number format.
 *
 * A spreadsheet stores 3088.83 as the double nearest to it, and a sum of such cells as
 * 3088.829999999999; the cell shows "3,088.83" because the format says two decimals. The
 * figure a finance office printed is the displayed one, so that is what the reader takes, as
 * an exact decimal: the double is first rounded to 15 significant digits (as spreadsheets do
 * before display, which is why 1.005 shows as 1.01), then half away from zero to the format's
 * decimals. Colours, literal text, padding and currency signs are display only and dropped;
 * the sign is the value's own (a format that hides the minus does not make an amount
 * positive), and a zero is never "-0.00". The rule is in formats/xlsx.md. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xlsx_int.h"

/* The shape of the number part of one format section. */
typedef bkxl_shape shape;

const char *bkxl_builtin_format(unsigned id)
{
    switch (id) {
    case 0: return "General";
    case 1: return "0";
    case 2: return "0.00";
    case 3: return "#,##0";
    case 4: return "#,##0.00";
    case 9: return "0%";
    case 10: return "0.00%";
    case 11: return "0.00E+00";
    case 12: return "# ?/?";
    case 13: return "# ?" "?/?" "?";
    case 14: return "yyyy-mm-dd";
    case 15: return "d-mmm-yy";
    case 16: return "d-mmm";
    case 17: return "mmm-yy";
    case 18: return "h:mm AM/PM";
    case 19: return "h:mm:ss AM/PM";
    case 20: return "h:mm";
    case 21: return "h:mm:ss";
    case 22: return "yyyy-mm-dd h:mm";
    case 37: return "#,##0 ;(#,##0)";
    case 38: return "#,##0 ;[Red](#,##0)";
    case 39: return "#,##0.00;(#,##0.00)";
    case 40: return "#,##0.00;[Red](#,##0.00)";
    case 41: return "_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)";
    case 42: return "_(\"$\"* #,##0_);_(\"$\"* \\(#,##0\\);_(\"$\"* \"-\"_);_(@_)";
    case 43: return "_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"?" "?_);_(@_)";
    case 44: return "_(\"$\"* #,##0.00_);_(\"$\"* \\(#,##0.00\\);_(\"$\"* \"-\"?" "?_);_(@_)";
    case 45: return "mm:ss";
    case 46: return "[h]:mm:ss";
    case 47: return "mmss.0";
    case 48: return "##0.0E+0";
    case 49: return "@";
    default:
        /* 27-36 and 50-58 are the East Asian date formats (年/月/日) of Chinese Excel. */
        if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58))
            return "yyyy-mm-dd";
        return NULL;
    }
}

/* The sections of a code, split at ';' outside quotes, escapes and brackets. */
static size_t split_sections(const char *code, const char *start[4], size_t len[4])
{
    size_t n = 0;
    const char *s = code, *p = code;
    while (*p && n < 4) {
        if (*p == '"') {
            p++;
            while (*p && *p != '"')
                p++;
            if (*p)
                p++;
        } else if (*p == '\\' || *p == '_' || *p == '*') {
            p++;
            if (*p)
                p++;
        } else if (*p == '[') {
            while (*p && *p != ']')
                p++;
            if (*p)
                p++;
        } else if (*p == ';') {
            start[n] = s, len[n] = (size_t)(p - s), n++;
            s = ++p;
        } else {
            p++;
        }
    }
    if (n < 4)
        start[n] = s, len[n] = strlen(s), n++;
    return n;
}

/* The next date or time letter after the run of m at i, lower case, or 0. */
static char next_letter(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == 'm' || s[i] == 'M'))
        i++;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (strchr("ydhs", c))
            return c;
    }
    return 0;
}

static void shape_of(const char *s, size_t n, shape *sh)
{
    memset(sh, 0, sizeof *sh);
    int after_point = 0, last_int_placeholder = 0, commas_after = 0;
    char last_time = 0; /* the last of h or y/d seen */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                ;
            continue;
        }
        if (c == '\\' || c == '_' || c == '*') {
            i++;
            continue;
        }
        if (c == '[') {
            size_t j = i + 1;
            while (j < n && s[j] != ']')
                j++;
            char b = i + 1 < n ? s[i + 1] : ']';
            if (b == 'h' || b == 'H' || b == 'm' || b == 'M' || b == 's' || b == 'S')
                sh->date = sh->has_time = 1; /* elapsed time */
            else if (b == '<' || b == '>' || b == '=')
                sh->general = 1; /* conditions: not honoured */
            i = j;
            continue;
        }
        if (n - i >= 7 && strncasecmp(s + i, "General", 7) == 0) {
            sh->general = 1;
            i += 6;
            continue;
        }
        if (c == 'h' || c == 'H')
            last_time = 'h';
        else if (strchr("ydYD", c))
            last_time = 'd';
        switch (c) {
        case '0':
        case '#':
        case '?':
            sh->digits = 1;
            commas_after = 0;
            if (after_point) {
                sh->dec_max++;
                if (c == '0')
                    sh->dec_min++;
            } else {
                if (c == '0')
                    sh->int_zeros++;
                last_int_placeholder = 1;
                commas_after = 0;
            }
            break;
        case '.':
            if (!after_point) {
                after_point = 1;
                sh->scale += commas_after;
                commas_after = 0;
            }
            break;
        case ',':
            if (last_int_placeholder)
                commas_after++;
            break;
        case '%':
            sh->percent++;
            break;
        case 'E':
        case 'e':
            if (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'))
                sh->general = 1; /* scientific */
            else if (c == 'e')
                sh->date = sh->has_date = 1; /* era year */
            break;
        case '/':
            if (sh->digits)
                sh->general = 1; /* fractions */
            break;
        case 'y': case 'Y': case 'd': case 'D':
            sh->date = sh->has_date = 1;
            break;
        case 'm': case 'M':
            /* Minutes after hours or before seconds ("h:mm", "mm:ss"), else months. */
            if (last_time == 'h' || next_letter(s, i, n) == 's')
                sh->date = sh->has_time = 1;
            else
                sh->date = sh->has_date = 1;
            break;
        case 'h': case 'H': case 's': case 'S':
            sh->date = sh->has_time = 1;
            break;
        case 'A': case 'a':
            if (n - i >= 5 && strncasecmp(s + i, "AM/PM", 5) == 0) {
                sh->date = sh->has_time = 1;
                i += 4;
            }
            break;
        default:
            break;
        }
    }
    /* "#,##0," counts thousands: commas that end the integer part scale. A comma between
     * placeholders is grouping, which the decimal does not show. */
    sh->scale += commas_after;
    if (!sh->digits && !sh->date)
        sh->general = 1;
    if (sh->date)
        sh->general = 0;
}

/* Plain decimal from significant digits d[0..nd) with the point after `point` digits
 * (point may be <= 0 or > nd). */
static size_t plain(const char *d, int nd, int point, int neg, int int_min, int dec_min,
                    int dec_max, char *out, size_t cap)
{
    char buf[BKXL_SHOWN_MAX];
    size_t n = 0;
    /* Round to dec_max decimals, half away from zero. */
    char digits[64];
    int keep = point + dec_max; /* digits of d that survive */
    int len;
    if (keep < 0) {
        len = 0;
    } else if (keep >= nd) {
        memcpy(digits, d, (size_t)nd);
        len = nd;
    } else {
        memcpy(digits, d, (size_t)keep);
        len = keep;
        if (d[keep] >= '5') {
            int k = len - 1;
            while (k >= 0 && digits[k] == '9')
                digits[k--] = '0';
            if (k >= 0) {
                digits[k]++;
            } else {
                memmove(digits + 1, digits, (size_t)len);
                digits[0] = '1';
                len++;
                point++;
            }
        }
    }
    /* Integer digits, then decimals, from the rounded digits (zeros beyond them). */
    int any = 0;
    if (neg)
        buf[n++] = '-';
    int ints = point > 0 ? point : 0;
    for (int k = ints; k < int_min; k++)
        buf[n++] = '0';
    if (ints == 0 && int_min == 0)
        buf[n++] = '0'; /* "#.00" shows ".50"; a decimal needs its 0 */
    for (int k = 0; k < ints && n < sizeof buf - 1; k++) {
        char c = k < len ? digits[k] : '0';
        any |= c != '0';
        buf[n++] = c;
    }
    int decs = dec_max;
    char dec[BKXL_SHOWN_MAX];
    int nd2 = 0;
    for (int k = 0; k < decs && nd2 < (int)sizeof dec; k++) {
        int idx = point + k; /* index into digits */
        char c = idx >= 0 && idx < len ? digits[idx] : '0';
        any |= c != '0';
        dec[nd2++] = c;
    }
    while (nd2 > dec_min && dec[nd2 - 1] == '0')
        nd2--;
    if (nd2 > 0 && n + (size_t)nd2 + 2 < sizeof buf) {
        buf[n++] = '.';
        memcpy(buf + n, dec, (size_t)nd2);
        n += (size_t)nd2;
    }
    buf[n] = '\0';
    const char *s = buf;
    if (neg && !any) { /* never "-0.00" */
        s++;
        n--;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

/* Significant digits of |v| to `prec` places: digits into d, returns the decimal exponent
 * of the first one (v = 0.d × 10^(exp+1)). */
static int sig_digits(double v, int prec, char *d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", prec - 1, fabs(v));
    int k = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            d[k++] = *p;
    return *p == 'e' ? atoi(p + 1) : 0;
}

static size_t general(double v, char *out, size_t cap)
{
    char d[32];
    int exp = 0, prec;
    for (prec = 1; prec <= 15; prec++) {
        exp = sig_digits(v, prec, d);
        char back[64];
        snprintf(back, sizeof back, "%c0.%.*se%d", v < 0 ? '-' : '+', prec, d, exp + 1);
        double r = 0;
        if (bkxl_parse_double(back, &r) == 0 && r == v)
            break;
    }
    if (prec > 15)
        prec = 15;
    int nd = prec;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    int point = exp + 1;
    int dec = nd - point > 0 ? nd - point : 0;
    return plain(d, nd, point, v < 0, 1, 0, dec, out, cap);
}

/* Days since 1899-12-31 (serial 1 = 1900-01-01, with the 1900 leap-year mistake spreadsheets
 * keep) or since 1904-01-01. */
static size_t date_text(double v, const shape *sh, int date1904, char *out, size_t cap)
{
    double day = floor(v);
    long secs = lround((v - day) * 86400.0);
    if (secs >= 86400) {
        secs -= 86400;
        day += 1;
    }
    long serial = (long)day;
    /* Civil date from days since 1970-01-01 (proleptic Gregorian). */
    long z = date1904 ? serial - 24107 : serial - 25569 + (serial < 60 ? 1 : 0);
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1;
    long mm = mp < 10 ? mp + 3 : mp - 9;
    if (mm <= 2)
        y++;
    int n = 0;
    if (!date1904 && serial == 60)
        y = 1900, mm = 2, dd = 29; /* the day that never was, as spreadsheets show it */
    if (sh->has_date)
        n = snprintf(out, cap, "%04ld-%02ld-%02ld", y, mm, dd);
    if (sh->has_time || (!sh->has_date))
        n += snprintf(out + n, cap - (size_t)n, "%s%02ld:%02ld:%02ld", n ? " " : "",
                      secs / 3600, secs / 60 % 60, secs % 60);
    return (size_t)n;
}

/* Significant digits of a figure: 0.d[0..nd) x 10^(exp+1), sign apart. */
typedef struct sigd {
    char d[32];
    int nd, exp, neg;
} sigd;

/* The digits of a stored number text when it has at most 15 significant digits and no
 * exponent ("4115.36", "-0.5"): then they are exactly what rounding its double to 15 digits
 * gives, and neither strtod nor printf is needed. 0 when it has them, -1 otherwise. */
static int text_digits(const char *s, sigd *g)
{
    g->nd = 0;
    g->neg = 0;
    g->exp = 0;
    if (*s == '-')
        g->neg = 1, s++;
    int in_frac = 0, ints = 0, frac = 0, first = -1, first_frac = 0, any = 0;
    for (; *s; s++) {
        if (*s == '.') {
            if (in_frac)
                return -1;
            in_frac = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1; /* an exponent, a space: the double's way */
        any = 1;
        if (in_frac)
            frac++;
        else
            ints++;
        if (*s == '0' && first < 0)
            continue;
        if (first < 0) {
            first = in_frac ? frac : ints - 1;
            first_frac = in_frac;
        }
        if (g->nd >= 15)
            return -1;
        g->d[g->nd++] = *s;
    }
    if (!any)
        return -1;
    while (g->nd > 0 && g->d[g->nd - 1] == '0')
        g->nd--;
    if (g->nd == 0) {
        g->neg = 0;
        return 0;
    }
    g->exp = first_frac ? -first : ints - 1 - first;
    return 0;
}

void bkxl_numfmt_prepare(bkxl_numfmt *f, const char *code)
{
    memset(f, 0, sizeof *f);
    f->pos.general = f->neg.general = 1;
    if (code == NULL || *code == '\0')
        return;
    f->code = code;
    f->dates = strpbrk(code, "ymdhsYMDHS") != NULL;
    const char *start[4];
    size_t slen[4];
    size_t nsec = split_sections(code, start, slen);
    shape_of(start[0], slen[0], &f->pos);
    f->neg = f->pos;
    if (nsec >= 2) {
        /* A negative section without placeholders ("-") takes the first one's shape; a zero
         * section (a dash in accounting formats) is never consulted: a zero shows as the
         * first. */
        shape_of(start[1], slen[1], &f->neg);
        if (!f->neg.digits && !f->neg.date)
            f->neg = f->pos;
    }
}

static bkxl_shown_kind show(double v, const sigd *g, const bkxl_numfmt *f, int date1904,
                            char *text, size_t *len)
{
    int neg = g ? g->neg : v < 0;
    int zero = g ? g->nd == 0 : v == 0;
    if (zero)
        neg = 0, v = 0; /* -0.0 shows as 0 */
    shape sh = neg ? f->neg : f->pos;
    if (sh.date && v >= 0 && v < 2958466.0) {
        *len = date_text(v, &sh, date1904, text, BKXL_SHOWN_MAX);
        return BKXL_SHOWN_TEXT;
    }
    if (sh.general || sh.date) {
        if (g == NULL) {
            *len = general(v, text, BKXL_SHOWN_MAX);
        } else {
            int point = g->exp + 1;
            int dec = g->nd - point > 0 ? g->nd - point : 0;
            *len = plain(g->d, g->nd, point, neg, 1, 0, dec, text, BKXL_SHOWN_MAX);
        }
        return BKXL_SHOWN_NUMBER;
    }
    sigd own;
    if (g == NULL) {
        own.nd = 15;
        own.exp = sig_digits(v, 15, own.d);
        g = &own;
    }
    int point = g->exp + 1 + 2 * sh.percent - 3 * sh.scale;
    *len = plain(g->d, g->nd, point, neg, sh.int_zeros, sh.dec_min, sh.dec_max, text,
                 BKXL_SHOWN_MAX);
    return BKXL_SHOWN_NUMBER;
}

bkxl_shown_kind bkxl_show_number(double v, const char *code, int date1904, char *text,
                                 size_t *len)
{
    if (!isfinite(v)) {
        /* No spreadsheet stores one; a damaged file can. Shown as Excel shows a number out of
         * range, and refused as a figure wherever one is expected. */
        memcpy(text, "#NUM!", 6);
        *len = 5;
        return BKXL_SHOWN_TEXT;
    }
    bkxl_numfmt f;
    bkxl_numfmt_prepare(&f, code);
    return show(v, NULL, &f, date1904, text, len);
}

int bkxl_show_prepared(const char *stored, const bkxl_numfmt *f, int date1904, char *text,
                       size_t *len, bkxl_shown_kind *kind)
{
    double v = 0;
    sigd g;
    if (text_digits(stored, &g) == 0) {
        /* Dates need the value itself; they are few. */
        if (f->dates && bkxl_parse_double(stored, &v) != 0)
            return -1;
        *kind = show(v, &g, f, date1904, text, len);
        return 0;
    }
    if (bkxl_parse_double(stored, &v) != 0)
        return -1;
    *kind = show(v, NULL, f, date1904, text, len);
    return 0;
}

int bkxl_show_stored(const char *stored, const char *code, int date1904, char *text,
                     size_t *len, bkxl_shown_kind *kind)
{
    bkxl_numfmt f;
    bkxl_numfmt_prepare(&f, code);
    return bkxl_show_prepared(stored, &f, date1904, text, len, kind);
}

int bkxl_parse_double(const char *s, double *out)
{
    /* The stored form is locale-independent; strtod is not, so read it in the C locale. */
    static locale_t c_locale;
    if (c_locale == (locale_t)0)
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return -1;
    while (*s == ' ')
        s++;
    if (*s == '\0')
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
              *p == 'E' || *p == ' '))
            return -1; /* no "inf", "nan", hexadecimal */
    char *end;
    locale_t old = uselocale(c_locale);
    double v = strtod(s, &end);
    uselocale(old);
    while (*end == ' ')
        end++;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
