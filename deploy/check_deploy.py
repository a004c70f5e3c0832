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
3. Kubernetes at scale: the PostgreSQL connection budget (the namespace's annotation)
   holds with every HPA at maxReplicas, images are pinned (no `latest`), no Deployment
   sets `replicas` beside its HPA, and an Ingress routes to every service.

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
            # Docker SIGKILLs after stop_grace_period (default 10 s): it must cover the drain
            # and the time in-flight requests are given.
            grace = str(service.get("stop_grace_period", "10s"))
            grace_seconds = int(grace[:-1]) * (60 if grace.endswith("m") else 1)
            needed = int(env.get("SHUTDOWN_TIMEOUT_SECONDS", 30)) + int(env.get("SHUTDOWN_DRAIN_SECONDS", 0))
            check(f"compose {name} stop_grace_period", grace_seconds > needed,
                  f"{grace} does not cover SHUTDOWN_TIMEOUT_SECONDS + SHUTDOWN_DRAIN_SECONDS ({needed} s)")
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / "deploy/compose.env.example").read_text(), re.M))
    for var in set(re.findall(r"\$\{([A-Z_]+)", compose_file.read_text())):
        check(f"compose interpolates {var}", var in documented, "not in deploy/compose.env.example")


def k8s_documents():
    documents = []
    for path in sorted((ROOT / "k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return documents


def find(documents, kind, name):
    return next((d for d in documents if d.get("kind") == kind and d.get("metadata", {}).get("name") == name), None)


def k8s_checks(known, required):
    documents = k8s_documents()
    for name, short in SERVICES.items():
        env = set()
        deployment = find(documents, "Deployment", name) or {}
        for container in deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            env |= {e["name"] for e in container.get("env", [])}
            # Every ConfigMap and Secret the container takes its environment from.
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    env |= set((find(documents, "ConfigMap", source["configMapRef"]["name"]) or {}).get("data", {}))
                if "secretRef" in source:
                    env |= set((find(documents, "Secret", source["secretRef"]["name"]) or {}).get("stringData", {}))
        check(f"k8s {name} configured", bool(env), "no ConfigMap or Secret found")
        for var in env:
            check(f"k8s {name} {var}", short in known.get(var, set()), f"{name} does not read {var}")
        for var, scope in required:
            if short in scope:
                check(f"k8s {name} sets {var}", var in env, f"{var} is required in production")


def scale_checks():
    """The connection budget holds at the largest scale, images are pinned, the HPA owns the
    scale, and an Ingress reaches every service."""
    documents = k8s_documents()
    namespace = find(documents, "Namespace", "healthcare") or {}
    budget = int(namespace.get("metadata", {}).get("annotations", {}).get("healthcare.example/postgres-connection-budget", "0"))
    check("namespace states the PostgreSQL connection budget", budget > 0, "annotation missing")
    used = 0
    for name in SERVICES:
        hpa = next((d for d in documents if d.get("kind") == "HorizontalPodAutoscaler"
                    and d["spec"]["scaleTargetRef"]["name"] == name), None)
        deployment = find(documents, "Deployment", name) or {}
        config = (find(documents, "ConfigMap", f"{name}-config") or {}).get("data", {})
        check(f"k8s {name} has an HPA", hpa is not None, "no HorizontalPodAutoscaler targets it")
        check(f"k8s {name} leaves the scale to the HPA", "replicas" not in deployment.get("spec", {}),
              "spec.replicas beside an HPA resets the scale on every apply")
        max_replicas = hpa["spec"]["maxReplicas"] if hpa else 1
        used += max_replicas * int(config.get("DB_MAX_CONNECTIONS", "8"))
        for container in deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            image = container.get("image", "")
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            check(f"k8s {name} image is pinned", ("@sha256:" in image) or (tag not in {"", "latest"}),
                  f"{image}: use a release tag or a digest")
    check("connection budget holds at the largest scale", 0 < used <= budget,
          f"maxReplicas x DB_MAX_CONNECTIONS sums to {used}, over the budget of {budget}")
    kustomization = yaml.safe_load((ROOT / "k8s/kustomization.yaml").read_text())
    for entry in kustomization.get("images", []):
        check(f"kustomization pins {entry['name']}", "digest" in entry or str(entry.get("newTag", "latest")) != "latest",
              "newTag latest")
    backends = set()
    for ingress in (d for d in documents if d.get("kind") == "Ingress"):
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backends.add(path["backend"]["service"]["name"])
    for name in SERVICES:
        check(f"the Ingress reaches {name}", name in backends, "no Ingress path routes to it")


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
    scale_checks()
    kustomization_checks()
    failed = results.count(False)
    print(f"deploy: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
