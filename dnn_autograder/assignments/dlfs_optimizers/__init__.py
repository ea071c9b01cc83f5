"""The *Deep Learning from Scratch* optimizers assignment (data only: see spec.toml, cases.py, mistakes.py)."""
