/* libFuzzer target: the positioned-words stage (words.h) under any box list a PDF or a text
 * could hand it.
 *
 * First byte even: records of [kind][x0 y0 x1 y1 as signed 16-bit][len][text]; kind & 3 == 0
 * starts a page, else a word (coordinates / 8, so overlaps, zero sizes and inverted boxes all
 * occur). First byte odd: the rest is layout text (lines, form feeds, runs of blanks), words at
 * their character columns as the text plugin makes them. Properties: no crash, leak or
 * undefined behaviour; an inverted box is refused with BK_E_CONTENT and nothing else fails
 * except by the word limit (kept small here to reach it). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "budgetkit/grid.h"
#include "budgetkit/words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int16_t s16(const uint8_t *p) { return (int16_t)(uint16_t)(p[0] | (p[1] << 8)); }

static int add_boxes(bk_words *w, const uint8_t *p, size_t n)
{
    long page = 0;
    while (n >= 10) {
        uint8_t kind = p[0];
        double x0 = s16(p + 1) / 8.0, y0 = s16(p + 3) / 8.0, x1 = s16(p + 5) / 8.0,
               y1 = s16(p + 7) / 8.0;
        size_t len = p[9];
        p += 10, n -= 10;
        if (len > n)
            len = n;
        bk_status st;
        if ((kind & 3) == 0) {
            st = bk_words_page(w, ++page);
        } else {
            st = bk_words_add(w, (const char *)p, len, x0, y0, x1, y1, 0);
            if (st == BK_E_CONTENT && !(x1 < x0 || y1 < y0)) {
                fprintf(stderr, "a well-formed box was refused\n");
                abort();
            }
            if (st == BK_E_CONTENT)
                st = BK_OK;
        }
        if (st == BK_E_LIMIT)
            return 0;
        if (st != BK_OK)
            abort();
        p += len, n -= len;
    }
    return 1;
}

static int add_text(bk_words *w, const uint8_t *p, size_t n)
{
    long page = 1, row = 0;
    if (bk_words_page(w, page) != BK_OK)
        abort();
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '\n' && p[j] != '\f')
            j++;
        row++;
        size_t col = 0, k = i;
        while (k < j) {
            if (p[k] == ' ') {
                k++, col++;
                continue;
            }
            size_t a = k, c0 = col;
            while (k < j && p[k] != ' ')
                k++, col++;
            bk_status st = bk_words_add(w, (const char *)p + a, k - a, (double)c0, 2.0 * row,
                                        (double)col, 2.0 * row + 2, row);
            if (st == BK_E_LIMIT)
                return 0;
            if (st != BK_OK)
                abort();
        }
        if (j < n && p[j] == '\f') {
            row = 0;
            if (bk_words_page(w, ++page) != BK_OK)
                abort();
        }
        i = j + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bk_words *w = bk_words_new("fuzz");
    bk_grid *g = bk_grid_new("fuzz");
    if (!w || !g)
        abort();
    bk_words_set_max(w, 4096);
    int ok = data[0] & 1 ? add_text(w, data + 1, size - 1) : add_boxes(w, data + 1, size - 1);
    if (ok) {
        bk_error err;
        bk_error_clear(&err);
        bk_status st = bk_words_grid(w, g, &err);
        if (st != BK_OK && st != BK_E_LIMIT) {
            fprintf(stderr, "words stage failed: %s\n", err.text);
            abort();
        }
    }
    bk_grid_free(g);
    bk_words_free(w);
    return 0;
}
