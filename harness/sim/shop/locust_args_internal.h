// Internal to Locust's command line (locust_args.cc, locust_help.cc). Not part of the sim's
// interface.
#ifndef SRE_EVAL_SIM_SHOP_LOCUST_ARGS_INTERNAL_H_
#define SRE_EVAL_SIM_SHOP_LOCUST_ARGS_INTERNAL_H_

namespace sre_eval {
namespace sim {
namespace locust_internal {

// `locust --help` at 80 columns (no terminal in a pod), as Locust 2.12.1 prints it.
extern const char kHelpText[];

}  // namespace locust_internal
}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOCUST_ARGS_INTERNAL_H_
