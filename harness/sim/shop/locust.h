// Locust 2.12 as the simulated cluster runs it in a Job. Kept for existing includers: new code
// includes what it uses, sim/shop/locust_args.h (the command line) or sim/shop/locust_stats.h (the
// statistics, log lines, messages and exit code).
#ifndef SRE_EVAL_SIM_SHOP_LOCUST_H_
#define SRE_EVAL_SIM_SHOP_LOCUST_H_

#include "sim/shop/locust_args.h"   // IWYU pragma: export
#include "sim/shop/locust_stats.h"  // IWYU pragma: export

#endif  // SRE_EVAL_SIM_SHOP_LOCUST_H_
