#!/usr/bin/env bash
# Re-run the sandbox tests as an unprivileged user (nobody), starting from root.
#
# The grader's Python usually lives under /root (pyenv), which nobody cannot enter (mode 700).
# Instead of copying it, bind-mount its prefix read-only onto a world-readable directory, in a
# private mount namespace that disappears with this command, and run that interpreter as nobody.
#
#   sudo tests/sandbox/run_unprivileged.sh [pytest arguments...]   (default: tests/sandbox)
#
# Needs: root (for unshare --mount and setpriv), util-linux (unshare, setpriv, mount), a user
# "nobody" and a group "nogroup", and numpy + pytest installed in that Python's prefix.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python}"
if [ "$(id -u)" != 0 ]; then
    echo "run_unprivileged.sh: start it as root (it switches to the user nobody)" >&2
    exit 2
fi
prefix="$("$python" -c 'import sys; print(sys.base_prefix)')"
exe="$("$python" -c 'import os, sys; print(os.path.relpath(os.path.realpath(sys.executable), sys.base_prefix))')"
mountpoint="$(mktemp -d /tmp/dnn-sandbox-python.XXXXXX)"
chmod 755 "$mountpoint"
trap 'rmdir "$mountpoint" 2>/dev/null || true' EXIT
case " $* " in
    *" tests/"*) ;;
    *) set -- tests/sandbox "$@" ;;  # never the whole repository's suite by accident
esac

unshare --mount --propagation private -- bash -c '
    set -e
    prefix=$1 mountpoint=$2 repo=$3 exe=$4
    shift 4
    mount --bind "$prefix" "$mountpoint"
    mount -o remount,bind,ro "$mountpoint"
    cd "$repo"
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
        env -i PATH=/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 PYTHONPATH="$repo" \
        LD_LIBRARY_PATH="$mountpoint/lib" \
        PYTHONDONTWRITEBYTECODE=1 \
        "$mountpoint/$exe" -m pytest -p no:cacheprovider "$@"
' run_unprivileged "$prefix" "$mountpoint" "$repo" "$exe" "$@"
