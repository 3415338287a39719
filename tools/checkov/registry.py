"""Lists Checkov's AWS Terraform checks whose resource types are among the given ones.

Reads a JSON list of Terraform resource types on stdin; prints JSON
{"checkovVersion", "checks": [{"id", "name", "resourceTypes"}]} sorted by ID. Run with the
interpreter of .local/checkov-venv (tools/services/checkov-env.sh); the registry is Checkov's own,
so a new release's checks show up without anyone keeping a list.
"""
import json
import re
import sys

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.version import version


def aws_id(check_id: str) -> bool:
    return re.match(r"^CKV2?_AWS_\d+$", check_id) is not None


def applicable(types: set) -> list:
    found = {}
    # Attribute checks (CKV_AWS_*), registered per resource type they support.
    for resource_type, checks in resource_registry.checks.items():
        if resource_type not in types:
            continue
        for check in checks:
            if aws_id(check.id):
                entry = found.setdefault(check.id, {"id": check.id, "name": check.name, "resourceTypes": set()})
                entry["resourceTypes"].add(resource_type)
    # Graph checks (CKV2_AWS_*): their primary resource types, the ones a verdict is reported on.
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for check in graph.checks:
        matched = types.intersection(check.resource_types or [])
        if aws_id(check.id) and matched:
            entry = found.setdefault(check.id, {"id": check.id, "name": check.name, "resourceTypes": set()})
            entry["resourceTypes"].update(matched)
    key = lambda c: (c["id"].startswith("CKV2"), int(c["id"].rsplit("_", 1)[1]))
    return [{**c, "resourceTypes": sorted(c["resourceTypes"])} for c in sorted(found.values(), key=key)]


def main() -> None:
    types = json.load(sys.stdin)
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        sys.exit(f"stdin: expected a JSON list of Terraform resource types; found {str(types)[:80]}")
    json.dump({"checkovVersion": version, "checks": applicable(set(types))}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
