// Internal to the server-side printing (table.cc builds the Table, table_columns.cc defines
// each resource's columns). Not part of the sim's interface.
#ifndef SRE_EVAL_SIM_API_TABLE_INTERNAL_H_
#define SRE_EVAL_SIM_API_TABLE_INTERNAL_H_

#include <vector>

namespace sre_eval {
namespace sim {
namespace table_internal {

// A Table's column definition, as the real server's printers declare it.
struct Column {
  const char* name;
  const char* type;
  const char* format;
  const char* description;
  int priority;
};

// Each resource's columns in the order of its cells (printers.go); GenericColumns() for a
// resource without a printer.
const std::vector<Column>& PodColumns();
const std::vector<Column>& DeploymentColumns();
const std::vector<Column>& ReplicaSetColumns();
const std::vector<Column>& JobColumns();
const std::vector<Column>& HorizontalPodAutoscalerColumns();
const std::vector<Column>& EventColumns();
const std::vector<Column>& ServiceColumns();
const std::vector<Column>& NodeColumns();
const std::vector<Column>& ConfigMapColumns();
const std::vector<Column>& NamespaceColumns();
const std::vector<Column>& EndpointsColumns();
const std::vector<Column>& EndpointSliceColumns();
const std::vector<Column>& ServiceAccountColumns();
const std::vector<Column>& SecretColumns();
const std::vector<Column>& StatefulSetColumns();
const std::vector<Column>& GenericColumns();

}  // namespace table_internal
}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_TABLE_INTERNAL_H_
