"""The *Deep Learning from Scratch* layers assignment (data only: see spec.toml, cases.py, mistakes.py)."""
