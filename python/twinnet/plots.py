"""Learning curves with matplotlib: ``plot_history(history)`` (R: ``plot(history)``, a ggplot).

matplotlib is in the ``notebook`` extra (``pip install 'twinnet[notebook]'``); it is imported when a plot
is drawn, so the rest of twinnet does without it.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["plot_history"]

MATPLOTLIB_MISSING = ("plot_history() draws with matplotlib, which is not installed: "
                      "pip install matplotlib (or twinnet's notebook extra: pip install 'twinnet[notebook]')")


def _curves(history: Any) -> dict[str, list[float]]:
    """The metrics of a Keras ``History``, or of its ``.history`` dict, as lists of floats."""
    values = getattr(history, "history", history)
    if not isinstance(values, dict) or not values:
        raise TypeError("plot_history() takes what fit_model() or model.fit() returns (a Keras History), "
                        f"or its .history dict of metric lists, not {type(history).__name__}")
    return {str(k): [float(v) for v in vs] for k, vs in values.items()}


def plot_history(history: Any) -> Any:
    """Draw the learning curves of a training run: one panel per metric (loss first), training and validation.

    Args:
        history: what :func:`twinnet.fit_model` or Keras's ``model.fit`` returns, or its ``.history`` dict.

    Returns:
        A ``matplotlib.figure.Figure`` (not registered with pyplot: Jupyter shows it once, as the cell's
        value; save it with ``fig.savefig("curves.png")``).

    Raises:
        ImportError: matplotlib is not installed (the message says how to install it).
        TypeError: ``history`` holds no metrics.
    """
    curves = _curves(history)
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(MATPLOTLIB_MISSING) from e
    metrics = [k for k in curves if not k.startswith("val_")]
    metrics += [k[4:] for k in curves if k.startswith("val_") and k[4:] not in curves]  # validation only
    metrics.sort(key=lambda k: (k != "loss", list(curves).index(k) if k in curves else len(curves)))
    cols = min(len(metrics), 2)
    rows = math.ceil(len(metrics) / cols)
    fig = Figure(figsize=(5 * cols, 3.5 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        for key, label, style in ((metric, "training", "-o"), (f"val_{metric}", "validation", "-s")):
            if key in curves:
                ys = curves[key]
                ax.plot(range(1, len(ys) + 1), ys, style, markersize=3, label=label)
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.legend()
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    return fig
