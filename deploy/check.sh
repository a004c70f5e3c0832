#!/usr/bin/env bash
# Static checks of Dockerfile-adjacent deployment files: compose schema, Kubernetes
# schemas, YAML style, and configuration that matches what the binaries read.
# Installs its tools from PyPI into .venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import jsonschema, yaml, kubernetes_validate' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r deploy/requirements.txt
fi

.venv/bin/yamllint --strict docker-compose.microservices.yml k8s/ .yamllint.yaml .config/
# kustomization.yaml is kustomize's own format, not a Kubernetes resource.
find k8s -name '*.yaml' ! -name kustomization.yaml -print0 \
  | xargs -0 .venv/bin/kubernetes-validate --strict --quiet
.venv/bin/python deploy/check_deploy.py
