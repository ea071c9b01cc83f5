"""Entry point of the sandbox worker: ``python -s -S -P boot.py CONFIG_JSON``.

Loads this folder as the package ``_sandbox_child`` (never the ``grader`` package, which holds
the reference and the expected values) and runs the zygote.
"""

import importlib.util
import json
import os
import sys


def main() -> None:
    config = json.loads(sys.argv[1])
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"  # before numpy loads: BLAS threads break RLIMIT_AS
    sys.path.extend(config["paths"])
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "_sandbox_child", os.path.join(here, "__init__.py"), submodule_search_locations=[here])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["_sandbox_child"] = package
    spec.loader.exec_module(package)
    zygote = importlib.import_module("_sandbox_child.zygote")
    zygote.main(config)


if __name__ == "__main__":
    main()
