/* The archive plugin through the library: SHA-256 against FIPS 180-4's examples, the limits
 * that stop decompression bombs, and failing allocations while reading and writing. */
#include <sys/stat.h>

#include "bktest.h"

#include "sha256.h"

#define SAMPLE_JSON "samples/dapeng-2024/budget.json"
#define SAMPLE_ZIP "samples/dapeng-2024/budget.zip"
#define SAMPLE_MEMBER "documents/0001-深圳市大鹏新区政务服务数据管理局-2024.json"

/* ---- SHA-256 ---- */

static void hex_of(const char *text, size_t len, char out[BKAR_SHA256_HEX])
{
    bkar_sha256_hex(text, len, out);
}

static void sha256_known_answers(void **state)
{
    (void)state;
    char hex[BKAR_SHA256_HEX];
    hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(two_blocks, strlen(two_blocks), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a', fed in pieces of awkward sizes so that every path through the block buffer
 * is taken (partial fill, exact fill, several blocks at once). */
static void sha256_million_a_in_pieces(void **state)
{
    (void)state;
    static char a[1000];
    memset(a, 'a', sizeof a);
    const size_t pieces[] = {1, 63, 64, 65, 127, 128, 200, 999, 1000, 7};
    bkar_sha256_ctx s;
    bkar_sha256_init(&s);
    size_t done = 0;
    for (size_t i = 0; done < 1000000; i = (i + 1) % (sizeof pieces / sizeof pieces[0])) {
        size_t n = pieces[i];
        if (n > 1000000 - done)
            n = 1000000 - done;
        bkar_sha256_update(&s, a, n);
        done += n;
    }
    unsigned char digest[BKAR_SHA256_SIZE];
    char hex[BKAR_SHA256_HEX];
    bkar_sha256_final(&s, digest);
    bkar_hex(digest, sizeof digest, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Messages whose padding ends exactly at or just past a block boundary (55, 56, 64 bytes). */
static void sha256_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    };
    char buf[64], hex[BKAR_SHA256_HEX];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hex_of(buf, cases[i].len, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

/* ---- reading through the library ---- */

static bk_ctx *new_ctx(void)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    bk_error err = bktest_no_error();
    const char *dir = getenv("BK_PLUGIN_DIR");
    if (dir != NULL)
        assert_int_equal(bk_ctx_add_plugin_path(ctx, dir), BK_OK);
    assert_int_equal(bk_ctx_set_data_dir(ctx, "formats"), BK_OK);
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    assert_non_null(bk_ctx_plugin_find(ctx, "archive"));
    return ctx;
}

static bk_status count_doc(bk_doc *doc, void *user, bk_error *err)
{
    (void)doc;
    (void)err;
    (*(size_t *)user)++;
    return BK_OK;
}

static void reads_sample(void **state)
{
    (void)state;
    bk_ctx *ctx = new_ctx();
    bk_error err = bktest_no_error();
    size_t n = 0;
    assert_int_equal(bk_read(ctx, SAMPLE_ZIP, NULL, count_doc, &n, &err), BK_OK);
    assert_int_equal(n, 1);
    bk_ctx_free(ctx);
}

/* Read the sample with one limit lowered; it must be refused with that limit's name, and with
 * the entry named when the limit is about one. */
static void refused_with_limit(const char *limit, const char *value, const char *where)
{
    bk_ctx *ctx = new_ctx();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_set_limit(ctx, limit, value, &err), BK_OK);
    size_t n = 0;
    bk_status rc = bk_read(ctx, SAMPLE_ZIP, NULL, count_doc, &n, &err);
    char msg[1024];
    bk_error_format(&err, msg, sizeof msg);
    print_message("%s=%s: %s\n", limit, value, msg);
    assert_int_equal(rc, BK_E_LIMIT);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.text, limit));
    assert_string_equal(err.where, where);
    assert_string_equal(err.file, SAMPLE_ZIP);
    bk_ctx_free(ctx);
}

static void limits_refuse_before_inflating(void **state)
{
    (void)state;
    /* The sample member is 104485 bytes of JSON deflated about 7:1. */
    refused_with_limit("max-entries", "1", "");
    refused_with_limit("max-input-bytes", "50000", "entry " SAMPLE_MEMBER);
    refused_with_limit("max-ratio", "3", "entry " SAMPLE_MEMBER);
    refused_with_limit("max-uncompressed", "100000", "entry " SAMPLE_MEMBER);
}

static void limits_at_the_boundary_pass(void **state)
{
    (void)state;
    bk_ctx *ctx = new_ctx();
    bk_error err = bktest_no_error();
    /* Three entries: the documents/ folder, the document and the manifest. */
    assert_int_equal(bk_ctx_set_limit(ctx, "max-entries", "3", &err), BK_OK);
    assert_int_equal(bk_ctx_set_limit(ctx, "max-input-bytes", "104485", &err), BK_OK);
    size_t n = 0;
    assert_int_equal(bk_read(ctx, SAMPLE_ZIP, NULL, count_doc, &n, &err), BK_OK);
    assert_int_equal(n, 1);
    bk_ctx_free(ctx);
}

/* ---- failing allocations ----
 *
 * Every allocation is failed in turn, over a small document so that the loop is quick and
 * spends its time in the archive code rather than in the JSON reader. Nothing may crash or
 * leak (the sanitizer build checks), a failure must be reported as out of memory and leave no
 * output, and a run reported as successful must have a complete result (one that survived a
 * failed allocation is counted and shown). */

static const char small_doc[] =
    "{\n  \"format\": \"budgetkit-budget\",\n  \"version\": 1,\n  \"fiscal_year\": 2024,\n"
    "  \"department\": { \"name\": \"测试局\" },\n  \"money_unit\": \"万元\",\n"
    "  \"precision\": 2,\n"
    "  \"units\": [ { \"id\": \"dept\", \"name\": \"测试局\", \"kind\": \"department\" } ],\n"
    "  \"tables\": []\n}\n";

typedef struct scratch {
    char dir[1024];
    char json[1100], zip[1100], out[1100];
} scratch;

/* A folder in the build tree (which the test environment names) holding the small document
 * and its archive. */
static void scratch_make(scratch *s, bk_ctx *ctx)
{
    const char *build = getenv("BK_BUILD_DIR");
    snprintf(s->dir, sizeof s->dir, "%s/archive-test-XXXXXX", build ? build : ".");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->json, sizeof s->json, "%s/small.json", s->dir);
    snprintf(s->zip, sizeof s->zip, "%s/small.zip", s->dir);
    snprintf(s->out, sizeof s->out, "%s/out.zip", s->dir);
    FILE *f = fopen(s->json, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(small_doc, 1, sizeof small_doc - 1, f), sizeof small_doc - 1);
    assert_int_equal(fclose(f), 0);
    const char *inputs[] = {s->json};
    bk_error err = bktest_no_error();
    assert_int_equal(bk_convert(ctx, inputs, 1, s->zip, NULL, "archive", NULL, &err), BK_OK);
}

static void scratch_remove(scratch *s)
{
    unlink(s->json);
    unlink(s->zip);
    unlink(s->out);
    assert_int_equal(rmdir(s->dir), 0);
}

/* A run of the reader or the writer with its n-th allocation failed, and what the runs came
 * to: how many failed an allocation, and how many of those still succeeded. */
typedef struct fault_run {
    bk_ctx *ctx;
    scratch s;
    size_t n;                 /* documents read */
    char text[BK_ERROR_TEXT]; /* the run's error */
    int exists;               /* the archive written exists */
    unsigned long runs, failures, absorbed;
} fault_run;

/* Fails each allocation of run in turn (bktest_fail_each_allocation), after checking each. */
static void fail_each_allocation(bk_status (*run)(void *user, bk_error *err),
                                 void (*after)(void *user, int failed, bk_status st))
{
    fault_run f;
    memset(&f, 0, sizeof f);
    f.ctx = new_ctx();
    scratch_make(&f.s, f.ctx);
    bktest_fail_each_allocation(run, after, &f);
    print_message("%lu allocations failed in turn, %lu absorbed without an error\n", f.failures,
                  f.absorbed);
    assert_true(f.failures > f.absorbed);
    scratch_remove(&f.s);
    bk_ctx_free(f.ctx);
}

/* What every run, read or write, leaves: counted, and an error that says something. */
static void fault_run_count(fault_run *f, int failed, bk_status st)
{
    assert_true(++f->runs < 100000);
    f->failures += failed != 0;
    f->absorbed += failed && st == BK_OK;
}

static bk_status read_zip(void *user, bk_error *err)
{
    fault_run *f = user;
    f->n = 0;
    bk_status st = bk_read(f->ctx, f->s.zip, NULL, count_doc, &f->n, err);
    snprintf(f->text, sizeof f->text, "%s", err->text);
    return st;
}

static void after_read(void *user, int failed, bk_status st)
{
    fault_run *f = user;
    fault_run_count(f, failed, st);
    if (st == BK_OK)
        assert_int_equal(f->n, 1);
    else
        assert_true(f->text[0] != '\0');
}


static bk_status write_zip(void *user, bk_error *err)
{
    fault_run *f = user;
    const char *inputs[] = {f->s.json, f->s.zip};
    bk_status st = bk_convert(f->ctx, inputs, 2, f->s.out, NULL, "archive", NULL, err);
    struct stat sb;
    f->exists = stat(f->s.out, &sb) == 0;
    return st;
}

static void after_write(void *user, int failed, bk_status st)
{
    fault_run *f = user;
    fault_run_count(f, failed, st);
    if (st != BK_OK) {
        assert_false(f->exists); /* no partial archive */
        return;
    }
    assert_true(f->exists);
    if (failed) {
        /* Whatever happened, what was written is a whole archive that reads back. */
        bk_error err = bktest_no_error();
        size_t n = 0;
        assert_int_equal(bk_read(f->ctx, f->s.out, NULL, count_doc, &n, &err), BK_OK);
        assert_int_equal(n, 2);
        assert_int_equal(unlink(f->s.out), 0);
    }
}


static void read_survives_failed_allocations(void **state)
{
    (void)state;
    fail_each_allocation(read_zip, after_read);
}

static void write_survives_failed_allocations(void **state)
{
    (void)state;
    fail_each_allocation(write_zip, after_write);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_known_answers),
        cmocka_unit_test(sha256_million_a_in_pieces),
        cmocka_unit_test(sha256_padding_boundaries),
        cmocka_unit_test(reads_sample),
        cmocka_unit_test(limits_refuse_before_inflating),
        cmocka_unit_test(limits_at_the_boundary_pass),
        cmocka_unit_test(read_survives_failed_allocations),
        cmocka_unit_test(write_survives_failed_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
