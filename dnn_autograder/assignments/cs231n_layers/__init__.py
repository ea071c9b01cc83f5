"""CS231n assignment 2, ``cs231n/layers.py`` (2018+ templates: dropout's ``p`` keeps a unit; layer norm
included): dropout, batch norm, layer norm as script units (data only: see spec.toml, cases.py, mistakes.py)."""
