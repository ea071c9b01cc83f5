"""Property checks of the *Deep Learning from Scratch* optimizers: none.

Nothing in ``common/optimizer.py`` is random, so every class is compared with the reference
step by step. The forms the book's editions printed differently (Nesterov's two orders, Adam's
folded step size) are accepted variants (the spec's ``accept``), not property checks.
"""

from __future__ import annotations

__all__: list[str] = []
