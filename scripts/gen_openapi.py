#!/usr/bin/env python3
"""Generates harness/sim/data/openapi_schemas.json: the OpenAPI v3 component schemas of the
kinds the simulated API server serves, so that `kubectl explain` prints what it prints
against kube-apiserver 1.32.

The schemas are public data of Kubernetes, read from two of its repositories at the release
the sim reports (k8s.io/api and k8s.io/apimachinery, tag v0.32.4):
  - the structure (fields, their JSON names and types, lists and maps, references) from each
    package's generated.proto;
  - the descriptions from each package's types_swagger_doc_generated.go (the same text
    kube-apiserver's OpenAPI carries), or, for the few types without one, from the proto
    comment formatted the same way;
  - required fields (neither an `+optional` marker nor `omitempty` in the Go struct's JSON
    tag, read from the package's Go files) and the patch and list extensions kubectl's
    strategic merge patch reads (`+patchMergeKey`, `+patchStrategy`, `+listType`,
    `+listMapKey`, `+mapType`) from the proto comments' markers.
Kinds get `apiVersion` and `kind` (TypeMeta's documentation) and
x-kubernetes-group-version-kind, as kube-apiserver's documents have them. Only the types
reachable from the served kinds are written.

Usage (the repositories as git directories, e.g. fetched mirrors):
  scripts/gen_openapi.py API_GIT_DIR APIMACHINERY_GIT_DIR > harness/sim/data/openapi_schemas.json
"""
import json
import re
import subprocess
import sys

TAG = "v0.32.4"

# (repository, package directory, proto package, schema name prefix)
PACKAGES = [
    ("api", "core/v1", "k8s.io.api.core.v1", "io.k8s.api.core.v1"),
    ("api", "apps/v1", "k8s.io.api.apps.v1", "io.k8s.api.apps.v1"),
    ("api", "batch/v1", "k8s.io.api.batch.v1", "io.k8s.api.batch.v1"),
    ("api", "autoscaling/v1", "k8s.io.api.autoscaling.v1", "io.k8s.api.autoscaling.v1"),
    ("api", "autoscaling/v2", "k8s.io.api.autoscaling.v2", "io.k8s.api.autoscaling.v2"),
    ("api", "events/v1", "k8s.io.api.events.v1", "io.k8s.api.events.v1"),
    ("api", "discovery/v1", "k8s.io.api.discovery.v1", "io.k8s.api.discovery.v1"),
    ("api", "authorization/v1", "k8s.io.api.authorization.v1", "io.k8s.api.authorization.v1"),
    ("apimachinery", "pkg/apis/meta/v1", "k8s.io.apimachinery.pkg.apis.meta.v1",
     "io.k8s.apimachinery.pkg.apis.meta.v1"),
    ("apimachinery", "pkg/api/resource", "k8s.io.apimachinery.pkg.api.resource",
     "io.k8s.apimachinery.pkg.api.resource"),
    ("apimachinery", "pkg/util/intstr", "k8s.io.apimachinery.pkg.util.intstr",
     "io.k8s.apimachinery.pkg.util.intstr"),
    ("apimachinery", "pkg/runtime", "k8s.io.apimachinery.pkg.runtime",
     "io.k8s.apimachinery.pkg.runtime"),
]

# The kinds served, by group/version (group "" is the core group).
KINDS = {
    ("", "v1"): ["Namespace", "Node", "Pod", "Event", "Service", "ConfigMap", "Endpoints",
                 "ServiceAccount", "Secret", "ReplicationController"],
    ("apps", "v1"): ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"],
    ("batch", "v1"): ["Job"],
    ("autoscaling", "v1"): ["HorizontalPodAutoscaler"],
    ("autoscaling", "v2"): ["HorizontalPodAutoscaler"],
    ("events.k8s.io", "v1"): ["Event"],
    ("discovery.k8s.io", "v1"): ["EndpointSlice"],
    ("authorization.k8s.io", "v1"): ["SelfSubjectAccessReview"],
}

# The proto package of each group/version's kinds.
GV_PACKAGE = {
    ("", "v1"): "io.k8s.api.core.v1",
    ("apps", "v1"): "io.k8s.api.apps.v1",
    ("batch", "v1"): "io.k8s.api.batch.v1",
    ("autoscaling", "v1"): "io.k8s.api.autoscaling.v1",
    ("autoscaling", "v2"): "io.k8s.api.autoscaling.v2",
    ("events.k8s.io", "v1"): "io.k8s.api.events.v1",
    ("discovery.k8s.io", "v1"): "io.k8s.api.discovery.v1",
    ("authorization.k8s.io", "v1"): "io.k8s.api.authorization.v1",
}

META = "io.k8s.apimachinery.pkg.apis.meta.v1"

# Types whose OpenAPI form is not their proto message (custom definitions in Kubernetes).
SPECIAL = {
    META + ".Time": {"type": "string", "format": "date-time"},
    META + ".MicroTime": {"type": "string", "format": "date-time"},
    META + ".Duration": {"type": "string"},
    META + ".FieldsV1": {"type": "object"},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "oneOf": [{"type": "string"}, {"type": "number"}]},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
    "io.k8s.apimachinery.pkg.runtime.RawExtension": {"type": "object"},
}

PRIMITIVES = {
    "string": {"type": "string"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "bool": {"type": "boolean"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "bytes": {"type": "string", "format": "byte"},
}


def git_show(git_dir, path):
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{TAG}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def fmt_raw_doc(lines):
    """A Go comment as Kubernetes' generators format it for OpenAPI."""
    raw = "\n".join(lines).split("---")[0]
    out = ""
    for line in raw.split("\n"):
        line = line.rstrip(" ")
        leading = line.lstrip(" ")
        if not line:
            out = out[:-1] + "\n\n"
        elif leading.startswith("TODO") or leading.startswith("+"):
            continue
        elif line.startswith(" ") or line.startswith("\t"):
            out = out[:-1] + "\n" + line + "\n"
        else:
            out += line + " "
    return out.rstrip("\n").rstrip(" ")


def parse_swagger_docs(text):
    """map_<Type> = map[string]string{ "field": "doc", ... } -> {Type: {field: doc}}."""
    docs = {}
    for m in re.finditer(r"var map_(\w+) = map\[string\]string\{\n(.*?)\n\}", text, re.S):
        fields = {}
        for f in re.finditer(r'^\t"([^"]*)":\s*"((?:[^"\\]|\\.)*)",$', m.group(2), re.M):
            fields[f.group(1)] = json.loads('"' + f.group(2) + '"')
        docs[m.group(1)] = fields
    return docs


def parse_proto(text, proto_package, prefix):
    """Top-level messages: {schema name: (comment lines, [(label, type, name, comment)])}."""
    messages = {}
    lines = text.split("\n")
    comment = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("//"):
            comment.append(line[2:][1:] if line[2:].startswith(" ") else line[2:])
            i += 1
            continue
        m = re.match(r"^message (\w+) \{$", line)
        if m and lines[i].startswith("message"):
            name = prefix + "." + m.group(1)
            msg_comment, comment = comment, []
            fields = []
            i += 1
            depth = 1
            while i < len(lines) and depth > 0:
                fl = lines[i].strip()
                if fl.startswith("//"):
                    comment.append(fl[2:][1:] if fl[2:].startswith(" ") else fl[2:])
                elif fl.endswith("{"):
                    depth += 1
                    comment = []
                elif fl == "}":
                    depth -= 1
                    comment = []
                else:
                    f = re.match(r"^(optional|repeated)\s+([\w.]+)\s+(\w+)\s*=\s*\d+", fl)
                    g = re.match(r"^map<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*\d+", fl)
                    if f and depth == 1:
                        fields.append((f.group(1), f.group(2), f.group(3), comment))
                    elif g and depth == 1:
                        fields.append(("map", g.group(2), g.group(3), comment))
                    comment = []
                i += 1
            messages[name] = (msg_comment, fields)
            continue
        if line:
            comment = []
        i += 1
    return messages


def resolve(type_name, proto_package, prefix):
    if type_name in PRIMITIVES:
        return None
    t = type_name.lstrip(".")
    if t.startswith("k8s.io."):
        return "io.k8s." + t[len("k8s.io."):]  # k8s.io.api.core.v1.X -> io.k8s.api.core.v1.X
    return prefix + "." + t


def parse_json_tags(text, prefix):
    """{(schema name, json name): omitempty} from the package's Go structs."""
    tags = {}
    for m in re.finditer(r"^type (\w+) struct \{\n(.*?)^\}", text, re.S | re.M):
        for f in re.finditer(r'`[^`]*json:"([^",]*)((?:,[^"]*)?)"', m.group(2)):
            tags[(prefix + "." + m.group(1), f.group(1))] = "omitempty" in f.group(2)
    return tags


def parse_enums(text, prefix, enums, field_types):
    """Types marked +enum with their constants' values and comments, and the Go type of each
    struct field (to find the fields of an enum type)."""
    lines = text.split("\n")
    block = []
    for i, line in enumerate(lines):
        if line.startswith("//"):
            block.append(line[2:].strip())
            continue
        m = re.match(r"^type (\w+) string$", line)
        if m and "+enum" in block:
            enums.setdefault(prefix + "." + m.group(1), {})
        if not line.startswith("\t//"):
            block = []
    for m in re.finditer(r"^const \(\n(.*?)^\)", text, re.S | re.M):
        comment = []
        for line in m.group(1).split("\n"):
            line = line.strip()
            if line.startswith("//"):
                comment.append(line[2:].strip())
                continue
            c = re.match(r'^(\w+)\s+(\w+)\s*=\s*"([^"]*)"', line)
            if c and prefix + "." + c.group(2) in enums:
                text_ = " ".join(x for x in comment if not x.startswith("+"))
                if text_.startswith(c.group(1) + " "):
                    text_ = text_[len(c.group(1)) + 1:]
                enums[prefix + "." + c.group(2)][c.group(3)] = text_.strip()
            comment = []
    for m in re.finditer(r"^type (\w+) struct \{\n(.*?)^\}", text, re.S | re.M):
        for f in re.finditer(r'^\t\w+\s+\*?(\w+)\s+`[^`]*json:"([^",]*)', m.group(2), re.M):
            field_types[(prefix + "." + m.group(1), f.group(2))] = prefix + "." + f.group(1)


def markers(comment):
    out = {}
    for line in comment:
        m = re.match(r"^\+(\w+)=(.*)$", line.strip())
        if m:
            out.setdefault(m.group(1), []).append(m.group(2).strip())
        elif line.strip().startswith("+"):
            out.setdefault(line.strip()[1:], []).append("")
    return out


def main():
    git = {"api": sys.argv[1], "apimachinery": sys.argv[2]}
    messages, docs, packages, omitempty = {}, {}, {}, {}
    enums, field_types = {}, {}
    for repo, directory, proto_package, prefix in PACKAGES:
        listing = subprocess.run(["git", "--git-dir", git[repo], "ls-tree", "--name-only",
                                  f"{TAG}:{directory}"], check=True, capture_output=True,
                                 text=True).stdout.split()
        go_sources = [git_show(git[repo], directory + "/" + f) for f in listing
                      if f.endswith(".go") and not f.endswith("_test.go")]
        for text in go_sources:
            omitempty.update(parse_json_tags(text, prefix))
            parse_enums(text, prefix, enums, {})  # The enum types first, in every file.
        for text in go_sources:
            parse_enums(text, prefix, enums, field_types)
        proto = git_show(git[repo], directory + "/generated.proto")
        for name, message in parse_proto(proto, proto_package, prefix).items():
            messages[name] = message
            packages[name] = (proto_package, prefix)
        try:
            swagger = git_show(git[repo], directory + "/types_swagger_doc_generated.go")
        except subprocess.CalledProcessError:
            swagger = ""
        for type_name, fields in parse_swagger_docs(swagger).items():
            docs[prefix + "." + type_name] = fields
    type_meta = docs[META + ".TypeMeta"]

    schemas = {}
    pending = []
    for (group, version), kinds in KINDS.items():
        for kind in kinds:
            pending.append(GV_PACKAGE[(group, version)] + "." + kind)

    def field_schema(label, type_name, owner):
        proto_package, prefix = packages[owner]
        ref = resolve(type_name, proto_package, prefix)
        if ref is None:
            item = dict(PRIMITIVES[type_name])
        else:
            if ref not in messages and ref not in SPECIAL:
                raise SystemExit(f"{owner}: unknown type {type_name} ({ref})")
            pending.append(ref)
            item = {"allOf": [{"$ref": "#/components/schemas/" + ref}]}
        if label == "repeated":
            return {"type": "array", "items": item}
        if label == "map":
            return {"type": "object", "additionalProperties": item}
        return item

    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        type_docs = docs.get(name, {})
        if name in SPECIAL:
            schema = dict(SPECIAL[name])
            comment = messages.get(name, ([], []))[0]
            description = type_docs.get("", fmt_raw_doc(comment))
            if description:
                schema = {"description": description, **schema}
            schemas[name] = schema
            continue
        comment, fields = messages[name]
        schema = {"description": type_docs.get("", fmt_raw_doc(comment)), "type": "object",
                  "properties": {}}
        required = []
        for label, type_name, field, field_comment in fields:
            prop = field_schema(label, type_name, name)
            description = type_docs.get(field, fmt_raw_doc(field_comment))
            values = enums.get(field_types.get((name, field), ""), {})
            if values and label != "repeated" and label != "map":
                # As kube-openapi documents an enum: its values, then each with its comment.
                prop["enum"] = sorted(values)
                lines = ["Possible enum values:"] + [
                    f" - `{json.dumps(v)}`" + (f" {values[v]}" if values[v] else "")
                    for v in sorted(values)]
                description = (description + "\n\n" if description else "") + "\n".join(lines)
            if description:
                prop["description"] = description
            m = markers(field_comment)
            if "patchMergeKey" in m:
                prop["x-kubernetes-patch-merge-key"] = m["patchMergeKey"][0]
            if "patchStrategy" in m:
                prop["x-kubernetes-patch-strategy"] = m["patchStrategy"][0]
            if "listType" in m:
                prop["x-kubernetes-list-type"] = m["listType"][0]
            if "listMapKey" in m:
                prop["x-kubernetes-list-map-keys"] = m["listMapKey"]
            if "mapType" in m:
                prop["x-kubernetes-map-type"] = m["mapType"][0]
            schema["properties"][field] = prop
            # Required unless marked +optional or omitted when empty, as kube-openapi reads it.
            if "optional" not in m and not omitempty.get((name, field), False):
                required.append(field)
        if required:
            schema["required"] = sorted(required)
        schemas[name] = schema

    # The kinds: TypeMeta's fields and their group/version/kind.
    for (group, version), kinds in KINDS.items():
        for kind in kinds:
            s = schemas[GV_PACKAGE[(group, version)] + "." + kind]
            s["properties"]["apiVersion"] = {"type": "string",
                                             "description": type_meta["apiVersion"]}
            s["properties"]["kind"] = {"type": "string", "description": type_meta["kind"]}
            s["x-kubernetes-group-version-kind"] = [
                {"group": group, "kind": kind, "version": version}]
            if "required" in s:
                s["required"] = [r for r in s["required"] if r not in ("apiVersion", "kind")]

    json.dump(dict(sorted(schemas.items())), sys.stdout, indent=None, separators=(",", ":"),
              sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
