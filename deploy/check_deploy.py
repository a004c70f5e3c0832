#!/usr/bin/env python3
"""Static checks of the deployment files, run by .ci/run (no Docker engine or cluster here).

1. docker-compose.microservices.yml validates against the Compose specification schema
   (deploy/schema/compose-spec.json, from the docker-compose 1.29.2 package), every
   `depends_on` condition `service_healthy` points at a service with a healthcheck, and
   every ${VAR} it interpolates is documented in deploy/compose.env.example.
2. Configuration matches what the binaries read: every variable the code reads is in the
   README's configuration table; every variable compose or k8s sets for a service is one
   that service reads (per that table); every variable a service requires in production
   is set for it in compose and in k8s.

Prints one line per failed check and a closing `N passed, N failed` line.
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICES = {"auth-service": "auth", "appointment-service": "appointment", "prescription-service": "prescription"}
results = []


def check(name, ok, detail=""):
    results.append(ok)
    if not ok:
        print(f"FAIL {name}: {detail}")


def readme_table():
    """{VAR: set of services}, and the variables marked 'required in production'."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    known, required = {}, set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        var = cells[0].strip("`")
        scope = {s.strip() for s in cells[1].split(",")}
        known[var] = set(SERVICES.values()) if "all" in scope else scope
        if "required in production" in cells[3]:
            required.add((var, frozenset(known[var])))
    return known, required


def variables_in_code():
    pattern = re.compile(r'\b(?:var_or|var_opt|required|list)(?:::<[^>]*>)?\(\s*"([A-Z][A-Z0-9_]*)"')
    found = set()
    for path in list(ROOT.glob("services/*/src/**/*.rs")) + list(ROOT.glob("crates/common/src/**/*.rs")):
        found.update(pattern.findall(path.read_text()))
    return found | {"RUST_LOG"}


def compose_checks(known, required):
    compose_file = ROOT / "docker-compose.microservices.yml"
    compose = yaml.safe_load(compose_file.read_text())
    schema = json.loads((ROOT / "deploy/schema/compose-spec.json").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=str)
    check("compose schema", not errors, "; ".join(e.message for e in errors[:5]))
    services = compose.get("services", {})
    for name, service in services.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            if condition.get("condition") == "service_healthy":
                check(f"compose {name} depends on {dependency}", "healthcheck" in services.get(dependency, {}),
                      f"{dependency} has no healthcheck")
        if name in SERVICES:
            short = SERVICES[name]
            env = service.get("environment", {})
            for var in env:
                check(f"compose {name} {var}", short in known.get(var, set()), f"{name} does not read {var}")
            for var, scope in required:
                if short in scope:
                    check(f"compose {name} sets {var}", var in env, f"{var} is required in production")
            check(f"compose {name} healthcheck", "healthcheck" in service, "missing")
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / "deploy/compose.env.example").read_text(), re.M))
    for var in set(re.findall(r"\$\{([A-Z_]+)", compose_file.read_text())):
        check(f"compose interpolates {var}", var in documented, "not in deploy/compose.env.example")


def k8s_checks(known, required):
    documents = []
    for path in sorted((ROOT / "k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for name, short in SERVICES.items():
        env = set()
        for doc in documents:
            meta = doc.get("metadata", {}).get("name")
            if doc.get("kind") == "ConfigMap" and meta == f"{name}-config":
                env |= set(doc.get("data", {}))
            if doc.get("kind") == "Secret" and meta == f"{name}-secrets":
                env |= set(doc.get("stringData", {}))
            if doc.get("kind") == "Deployment" and meta == name:
                for container in doc["spec"]["template"]["spec"]["containers"]:
                    env |= {e["name"] for e in container.get("env", [])}
        check(f"k8s {name} configured", bool(env), "no ConfigMap or Secret found")
        for var in env:
            check(f"k8s {name} {var}", short in known.get(var, set()), f"{name} does not read {var}")
        for var, scope in required:
            if short in scope:
                check(f"k8s {name} sets {var}", var in env, f"{var} is required in production")


def kustomization_checks():
    kustomization = yaml.safe_load((ROOT / "k8s/kustomization.yaml").read_text())
    listed = set(kustomization.get("resources", []))
    for resource in listed:
        check(f"kustomization lists {resource}", (ROOT / "k8s" / resource).exists(), "file missing")
    for path in (ROOT / "k8s").glob("*.yaml"):
        if path.name not in {"kustomization.yaml", "secrets.example.yaml"}:
            check(f"kustomization includes {path.name}", path.name in listed, "not listed in resources")


def main():
    known, required = readme_table()
    check("README has a configuration table", bool(known), "no rows parsed")
    for var in sorted(variables_in_code()):
        check(f"README documents {var}", var in known, f"{var} is read by the code but not in the README table")
    compose_checks(known, required)
    k8s_checks(known, required)
    kustomization_checks()
    failed = results.count(False)
    print(f"deploy: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
