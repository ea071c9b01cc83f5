"""Reference implementations (the answer key)."""
