#include "sim/api/table_internal.h"

#include <vector>

namespace sre_eval {
namespace sim {
namespace table_internal {

// ---------------------------------------------------------------------------------------------
// Column definitions. Descriptions that printers.go writes literally are copied as facts; the
// ones it takes from the API's swagger docs are the v1 field docs (kubectl never reads them).

constexpr char kNameDoc[] =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr char kAgeDoc[] =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
constexpr char kContainersDoc[] = "Names of each container in the template.";
constexpr char kImagesDoc[] = "Images referenced by each container in the template.";

const std::vector<Column>& PodColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.",
       0},
      {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
      {"Restarts", "string", "",
       "The number of times the containers in this pod have been restarted and when the last "
       "container in this pod has restarted.",
       0},
      {"Age", "string", "", kAgeDoc, 0},
      {"IP", "string", "",
       "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
       "yet allocated.",
       1},
      {"Node", "string", "",
       "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
       "candidate for scheduling by the scheduler defined in schedulerName. Once this field is "
       "set, the kubelet for this node becomes responsible for the lifecycle of this pod. This "
       "field should not be used to express a desire for the pod to be scheduled on a specific "
       "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
       1},
      {"Nominated Node", "string", "",
       "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
       "cannot be scheduled right away as preemption victims receive their graceful termination "
       "periods. This field does not guarantee that the pod will be scheduled on this node. "
       "Scheduler may decide to place the pod elsewhere if other nodes become available sooner. "
       "Scheduler may also decide to give the resources on this node to a higher priority pod "
       "that is created after preemption. As a result, this field may be different than "
       "PodSpec.nodeName when the pod is scheduled.",
       1},
      {"Readiness Gates", "string", "",
       "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
       "when all its containers are ready AND all conditions specified in the readiness gates "
       "have status equal to \"True\" More info: "
       "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
       1},
  };
  return *columns;
}

const std::vector<Column>& DeploymentColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Ready", "string", "", "Number of the pod with ready state", 0},
      {"Up-to-date", "string", "",
       "Total number of non-terminated pods targeted by this deployment that have the desired "
       "template spec.",
       0},
      {"Available", "string", "",
       "Total number of available pods (ready for at least minReadySeconds) targeted by this "
       "deployment.",
       0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Containers", "string", "", kContainersDoc, 1},
      {"Images", "string", "", kImagesDoc, 1},
      {"Selector", "string", "",
       "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
       "the ones affected by this deployment.",
       1},
  };
  return *columns;
}

const std::vector<Column>& ReplicaSetColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Desired", "integer", "",
       "Replicas is the number of desired replicas. This is a pointer to distinguish between "
       "explicit zero and unspecified. Defaults to 1. More info: "
       "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
       "#what-is-a-replicationcontroller",
       0},
      {"Current", "integer", "",
       "Replicas is the most recently observed number of replicas. More info: "
       "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
       "#what-is-a-replicationcontroller",
       0},
      {"Ready", "integer", "", "The number of ready replicas for this replica set.", 0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Containers", "string", "", kContainersDoc, 1},
      {"Images", "string", "", kImagesDoc, 1},
      {"Selector", "string", "",
       "Selector is a label query over pods that should match the replica count. If the "
       "selector is empty, it is defaulted to the labels present on the pod template. Label "
       "keys and values that must match in order to be controlled by this replica set. More "
       "info: "
       "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
       "#label-selectors",
       1},
  };
  return *columns;
}

const std::vector<Column>& HorizontalPodAutoscalerColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Reference", "string", "",
       "scaleTargetRef points to the target resource to scale, and is used to the pods for which "
       "metrics should be collected, as well as to actually change the replica count.",
       0},
      {"Targets", "string", "",
       "metrics contains the specifications for which to use to calculate the desired replica "
       "count (the maximum replica count across all metrics will be used).  The desired replica "
       "count is calculated multiplying the ratio between the target value and the current "
       "value by the current number of pods.  Ergo, metrics used must decrease as the pod count "
       "is increased, and vice-versa.  See the individual metric source types for more "
       "information about how each type of metric must respond. If not set, the default metric "
       "will be set to 80% average CPU utilization.",
       0},
      {"MinPods", "string", "",
       "minReplicas is the lower limit for the number of replicas to which the autoscaler can "
       "scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature "
       "gate HPAScaleToZero is enabled and at least one Object or External metric is "
       "configured.  Scaling is active as long as at least one metric value is available.",
       0},
      {"MaxPods", "string", "",
       "maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
       "scale up. It cannot be less that minReplicas.",
       0},
      {"Replicas", "string", "",
       "currentReplicas is current number of replicas of pods managed by this autoscaler, as "
       "last seen by the autoscaler.",
       0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& JobColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Status", "string", "", "Status of the job.", 0},
      {"Completions", "string", "",
       "The number of pods which reached phase Succeeded. The value increases monotonically for "
       "a given spec. However, it may decrease in reaction to scale down of elastic indexed "
       "jobs.",
       0},
      {"Duration", "string", "", "Time required to complete the job.", 0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Containers", "string", "", kContainersDoc, 1},
      {"Images", "string", "", kImagesDoc, 1},
      {"Selector", "string", "",
       "A label query over pods that should match the pod count. Normally, the system sets this "
       "field for you. More info: "
       "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
       "#label-selectors",
       1},
  };
  return *columns;
}

const std::vector<Column>& EventColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Last Seen", "string", "",
       "The time at which the most recent occurrence of this event was recorded.", 0},
      {"Type", "string", "",
       "Type of this event (Normal, Warning), new types could be added in the future", 0},
      {"Reason", "string", "",
       "This should be a short, machine understandable string that gives the reason for the "
       "transition into the object's current status.",
       0},
      {"Object", "string", "", "The object that this event is about.", 0},
      {"Subobject", "string", "",
       "If referring to a piece of an object instead of an entire object, this string should "
       "contain a valid JSON/Go field access statement, such as "
       "desiredState.manifest.containers[2]. For example, if the object reference is to a "
       "container within a pod, this would take on a value like: \"spec.containers{name}\" "
       "(where \"name\" refers to the name of the container that triggered the event) or if no "
       "container name is specified \"spec.containers[2]\" (container with index 2 in this "
       "pod). This syntax is chosen only to have some well-defined way of referencing a part of "
       "an object.",
       1},
      {"Source", "string", "",
       "The component reporting this event. Should be a short machine understandable string.", 1},
      {"Message", "string", "", "A human-readable description of the status of this operation.", 0},
      {"First Seen", "string", "",
       "The time at which the event was first recorded. (Time of server receipt is in "
       "TypeMeta.)",
       1},
      {"Count", "string", "", "The number of times this event has occurred.", 1},
      {"Name", "string", "name", kNameDoc, 1},
  };
  return *columns;
}

const std::vector<Column>& ServiceColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Type", "string", "",
       "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
       "ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a "
       "cluster-internal IP address for load-balancing to endpoints. Endpoints are determined "
       "by the selector or if that is not specified, by manual construction of an Endpoints "
       "object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated "
       "and the endpoints are published as a set of endpoints rather than a virtual IP. "
       "\"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the "
       "same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an "
       "external load-balancer (if supported in the current cloud) which routes to the same "
       "endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified "
       "externalName. Several other fields do not apply to ExternalName services. More info: "
       "https://kubernetes.io/docs/concepts/services-networking/service/"
       "#publishing-services-service-types",
       0},
      {"Cluster-IP", "string", "",
       "clusterIP is the IP address of the service and is usually assigned randomly. If an "
       "address is specified manually, is in-range (as per system configuration), and is not in "
       "use, it will be allocated to the service; otherwise creation of the service will fail. "
       "This field may not be changed through updates unless the type field is also being "
       "changed to ExternalName (which requires this field to be blank) or the type field is "
       "being changed from ExternalName (in which case this field may optionally be specified, "
       "as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP "
       "address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which "
       "is useful when direct endpoint connections are preferred and proxying is not required.  "
       "Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified "
       "when creating a Service of type ExternalName, creation will fail. This field will be "
       "wiped when updating a Service to type ExternalName. More info: "
       "https://kubernetes.io/docs/concepts/services-networking/service/"
       "#virtual-ips-and-service-proxies",
       0},
      {"External-IP", "string", "",
       "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
       "traffic for this service.  These IPs are not managed by Kubernetes.  The user is "
       "responsible for ensuring that traffic arrives at a node with this IP.  A common example "
       "is external load-balancers that are not part of the Kubernetes system.",
       0},
      {"Port(s)", "string", "",
       "The list of ports that are exposed by this service. More info: "
       "https://kubernetes.io/docs/concepts/services-networking/service/"
       "#virtual-ips-and-service-proxies",
       0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Selector", "string", "",
       "Route service traffic to pods with label keys and values matching this selector. If "
       "empty or not present, the service is assumed to have an external process managing its "
       "endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, "
       "and LoadBalancer. Ignored if type is ExternalName. More info: "
       "https://kubernetes.io/docs/concepts/services-networking/service/",
       1},
  };
  return *columns;
}

const std::vector<Column>& NodeColumns() {
  static constexpr char kAddressesDoc[] =
      "List of addresses reachable to the node. Queried from cloud provider, if available. More "
      "info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field "
      "is declared as mergeable, but the merge key is not sufficiently unique, which can cause "
      "data corruption when it is merged. Callers should instead use a full-replacement patch. "
      "See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can "
      "change during the lifetime of a Node. However, there are some exceptions where this may "
      "not be possible, such as Pods that inherit a Node's address in its own status or "
      "consumers of the downward API (status.hostIP).";
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Status", "string", "", "The status of the node", 0},
      {"Roles", "string", "", "The roles of the node", 0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Version", "string", "", "Kubelet Version reported by the node.", 0},
      {"Internal-IP", "string", "", kAddressesDoc, 1},
      {"External-IP", "string", "", kAddressesDoc, 1},
      {"OS-Image", "string", "",
       "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
      {"Kernel-Version", "string", "",
       "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
      {"Container-Runtime", "string", "",
       "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
       "containerd://1.4.2).",
       1},
  };
  return *columns;
}

const std::vector<Column>& ConfigMapColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Data", "string", "",
       "Data contains the configuration data. Each key must consist of alphanumeric characters, "
       "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. "
       "The keys stored in Data must not overlap with the keys in the BinaryData field, this is "
       "enforced during validation process.",
       0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& NamespaceColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Status", "string", "", "The status of the namespace", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

// The generic registry's default table (k8s.io/apiserver pkg/registry/rest/table.go).
const std::vector<Column>& EndpointsColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Endpoints", "string", "", "Endpoints of the service: the ready pods' IP and port.", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& EndpointSliceColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"AddressType", "string", "",
       "addressType specifies the type of address carried by this EndpointSlice.", 0},
      {"Ports", "string", "", "ports specifies the list of network ports exposed by each endpoint.",
       0},
      {"Endpoints", "string", "", "endpoints is a list of unique endpoints in this slice.", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& ServiceAccountColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Secrets", "string", "", "Secrets is a list of the secrets in the same namespace.", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& SecretColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Type", "string", "", "The type of the secret.", 0},
      {"Data", "string", "", "The number of keys in the secret.", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  return *columns;
}

const std::vector<Column>& StatefulSetColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Ready", "string", "", "Number of the pod with ready state", 0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Containers", "string", "", "Names of each container in the template.", 1},
      {"Images", "string", "", "Images referenced by each container in the template.", 1},
  };
  return *columns;
}

const std::vector<Column>& GenericColumns() {
  static const auto* columns = new std::vector<Column>{
      {"Name", "string", "name", kNameDoc, 0},
      {"Created At", "date", "", kAgeDoc, 0},
  };
  return *columns;
}

}  // namespace table_internal
}  // namespace sim
}  // namespace sre_eval
