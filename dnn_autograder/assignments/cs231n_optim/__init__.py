"""CS231n assignment 2, ``cs231n/optim.py``: SGD+momentum, RMSProp, Adam (data only: see spec.toml, cases.py,
mistakes.py)."""
