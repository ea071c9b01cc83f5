#!/usr/bin/env bash
# Gradescope autograder image setup (runs once, as root, when the autograder is built).
#
# Upload a zip holding, at its root: setup.sh, run_autograder, ASSIGNMENT (one line: the
# assignment name, e.g. "regularization") and dnn-autograder/ (a checkout of the grader at the
# release you grade with). See README.md beside this file.
set -euo pipefail

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3.11 python3.11-venv ca-certificates

python3.11 -m venv /opt/grader
/opt/grader/bin/python -m pip install --upgrade pip
/opt/grader/bin/python -m pip install /autograder/source/dnn-autograder

# Fail the build now, not at the first submission, if the bank or the sandbox is broken.
/opt/grader/bin/grade selfcheck --quick --assignment "$(tr -d '[:space:]' < /autograder/source/ASSIGNMENT)"
