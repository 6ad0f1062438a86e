/* One source, several deliberately good or broken plugins (see CMakeLists.txt). */
#include "budgetkit/plugin.h"

static int probe(const bk_probe *p)
{
    return p->head_len > 0 && p->head[0] == '#' ? 100 : 0;
}

static bk_status import(bk_import *job)
{
    return bk_error_set(bk_import_error(job), BK_E_CONTENT, "the test plugin reads nothing");
}

static const char *const extensions[] = {"test", NULL};

static const bk_plugin_desc desc = {
#ifdef VARIANT_wrong_abi
    .abi_major = 99,
#else
    .abi_major = BK_ABI_MAJOR,
#endif
#ifdef VARIANT_newer_minor
    .abi_minor = BK_ABI_MINOR + 1,
#else
    .abi_minor = BK_ABI_MINOR,
#endif
    .size = sizeof(bk_plugin_desc),
    .name = "testplugin",
    .version = "1.0",
    .license = "MIT",
    .summary = "a plugin for the loader tests",
#ifndef VARIANT_no_kind
    .kinds = BK_PLUGIN_IMPORT,
#endif
    .extensions = extensions,
    .probe = probe,
    .import = import,
};

#ifndef VARIANT_no_symbol
BK_PLUGIN_DEFINE(testplugin, desc)
#else
__attribute__((visibility("default"))) const bk_plugin_desc *budgetkit_plugin_v0(void) { return &desc; }
#endif
