"""The official Kubernetes Python client (Debian's python3-kubernetes) against the sim.

Run by python_client_test.cc: python3 python_client.py KUBECONFIG SIM_URL. Prints one line per
check, "name: value", which the test compares exactly. Each check is what an agent written in
Python does while investigating an incident.
"""
import json
import sys
import urllib.request

from kubernetes.stream import stream
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

NS = "sock-shop"
LOCUSTFILE = (
    "from locust import HttpUser, task, between\n"
    "class SockShopUser(HttpUser):\n"
    "    wait_time = between(1, 3)\n"
    "    @task\n"
    "    def journey(self):\n"
    "        self.client.get('/catalogue')\n"
)


def out(name, value):
    print(f"{name}: {value}", flush=True)


def advance(sim_url, by):
    req = urllib.request.Request(f"{sim_url}/sim/v1/advance?by={by}", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()


def main():
    kubeconfig, sim_url = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    batch = client.BatchV1Api()

    pods = core.list_namespaced_pod(NS)
    out("pods", len(pods.items))
    fe = core.list_namespaced_pod(NS, label_selector="name=front-end").items
    out("front-end pods", [p.metadata.name.rsplit("-", 2)[0] for p in fe])

    # A watch: the client sends watch=True (Python's spelling of a bool); the server must
    # stream events, not answer a list.
    w = watch.Watch()
    added = sum(1 for e in w.stream(core.list_namespaced_pod, NS, timeout_seconds=1)
                if e["type"] == "ADDED")
    out("watch added", added)

    # The previous container's log of a pod that never restarted: 400, as kube-apiserver says.
    name = fe[0].metadata.name
    try:
        core.read_namespaced_pod_log(name, NS, previous=True)
        out("previous log before the crash", "returned a log")
    except ApiException as e:
        out("previous log before the crash", f"{e.status} {json.loads(e.body)['message']}")

    # The guide's crash: Locust with 3000 users, created through the client.
    core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="locustfile-py"), data={"locustfile.py": LOCUSTFILE}))
    container = client.V1Container(
        name="locust", image="locustio/locust:2.12.1",
        args=["-f", "/mnt/locust/locustfile.py", "--headless", "-u", "3000", "-r", "100",
              "-t", "5m", "--host", "http://front-end.sock-shop.svc"],
        volume_mounts=[client.V1VolumeMount(name="locustfile", mount_path="/mnt/locust")])
    job = client.V1Job(
        metadata=client.V1ObjectMeta(name="locust-py"),
        spec=client.V1JobSpec(backoff_limit=0, template=client.V1PodTemplateSpec(
            spec=client.V1PodSpec(
                restart_policy="Never", containers=[container],
                volumes=[client.V1Volume(
                    name="locustfile",
                    config_map=client.V1ConfigMapVolumeSource(name="locustfile-py"))]))))
    batch.create_namespaced_job(NS, job)
    advance(sim_url, "2m")

    pod = core.read_namespaced_pod(name, NS)
    status = pod.status.container_statuses[0]
    out("restarts after 2 minutes", status.restart_count)
    out("last termination", status.last_state.terminated.reason)
    previous = core.read_namespaced_pod_log(name, NS, previous=True)
    current = core.read_namespaced_pod_log(name, NS)
    out("current log lines", len(current.rstrip("\n").split("\n")))
    out("previous log ends with", previous.rstrip("\n").split("\n")[-1][:120])

    # Scaling through the scale subresource, as the payment incident does.
    scale = apps.patch_namespaced_deployment_scale("payment", NS, {"spec": {"replicas": 0}})
    out("payment scaled to", scale.spec.replicas)
    advance(sim_url, "40s")
    out("payment endpoints after the scale-down", core.read_namespaced_endpoints("payment", NS).subsets)
    out("service accounts", [a.metadata.name for a in core.list_namespaced_service_account(NS).items])

    # A request above its limit is refused with the API server's status.
    try:
        apps.patch_namespaced_deployment("front-end", NS, {"spec": {"template": {"spec": {
            "containers": [{"name": "front-end",
                            "resources": {"limits": {"memory": "200Mi"}}}]}}}})
        out("limit under the request", "accepted")
    except ApiException as e:
        body = json.loads(e.body)
        out("limit under the request", f"{e.status} {body['reason']}: {body['message']}")

    events = core.list_namespaced_event(NS, field_selector=f"involvedObject.name={name}")
    out("front-end pod events", sorted({e.reason for e in events.items}))

    # The guide's remediation, an HPA on the front-end. This client (22.6) has no
    # AutoscalingV2Api: an agent goes through its dynamic client, which reads discovery.
    dyn = dynamic.DynamicClient(client.ApiClient())
    hpas = dyn.resources.get(api_version="autoscaling/v2", kind="HorizontalPodAutoscaler")
    created = hpas.create(namespace=NS, body={
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "front-end"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": "front-end"},
                 "maxReplicas": 4}})
    target = created.spec.metrics[0].resource.target
    out("hpa defaults", (created.spec.minReplicas, target.type, target.averageUtilization))
    advance(sim_url, "20s")
    hpa = hpas.get(name="front-end", namespace=NS)
    out("hpa status", (hpa.status.currentReplicas, hpa.status.desiredReplicas,
                       [(c.type, c.status, c.reason) for c in hpa.status.conditions]))

    # exec over WebSocket (v4.channel.k8s.io, as this client speaks it) into the simulated
    # userland: a cgroup file, the orders database, and a service with no endpoints.
    def pod_of(app):
        return core.list_namespaced_pod(NS, label_selector=f"name={app}").items[0].metadata.name

    out("carts cpu.max", repr(stream(core.connect_get_namespaced_pod_exec, pod_of("carts"), NS,
                                     command=["cat", "/sys/fs/cgroup/cpu.max"], stderr=True,
                                     stdin=False, stdout=True, tty=False)))
    failed = stream(core.connect_get_namespaced_pod_exec, pod_of("orders-db"), NS,
                    command=["mongo", "data", "--quiet", "--eval",
                             'db.customerOrder.count({status: "PAYMENT_FAILED"})'],
                    stderr=True, stdin=False, stdout=True, tty=False)
    statuses = []
    for page in range(100):
        url = f"{sim_url}/api/v1/namespaces/{NS}/services/orders/proxy/orders?size=1000&page={page}"
        with urllib.request.urlopen(url, timeout=60) as r:
            listed = json.loads(r.read())["_embedded"]["customerOrders"]
        statuses += [o["status"] for o in listed]
        if len(listed) < 1000:
            break
    out("PAYMENT_FAILED orders (mongo, orders API)",
        (int(failed), statuses.count("PAYMENT_FAILED"), len(statuses)))
    resp = stream(core.connect_get_namespaced_pod_exec, pod_of("orders"), NS,
                  command=["sh", "-c", "curl -sS http://payment/health"], stderr=True,
                  stdin=False, stdout=True, tty=False, _preload_content=False)
    resp.run_forever(timeout=10)
    out("curl to payment at 0 replicas", (resp.read_stdout(), resp.read_stderr(), resp.returncode))


if __name__ == "__main__":
    main()
