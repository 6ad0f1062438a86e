/* budgetkit: convert and validate government department budgets (部门预算). */
#ifndef BUDGETKIT_H
#define BUDGETKIT_H

#include "alloc.h"
#include "api.h"
#include "consolidate.h"
#include "context.h"
#include "decimal.h"
#include "diff.h"
#include "error.h"
#include "grid.h"
#include "io.h"
#include "model.h"
#include "plugin.h"
#include "printed.h"
#include "report.h"
#include "report_html.h"
#include "strbuf.h"
#include "summary.h"
#include "template.h"
#include "text.h"
#include "units.h"

#endif
