"""The *Activations* assignment (data only: see spec.toml, cases.py, mistakes.py)."""
