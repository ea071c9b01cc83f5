"""The *Deep Learning from Scratch* multi-layer network assignment (data only: see spec.toml, cases.py, mistakes.py)."""
