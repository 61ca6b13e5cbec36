"""Training with a spec's ``fit`` settings: epochs, batch size, validation split, shuffling and callbacks.

``fit_model()`` is R's ``fit_model()`` (R/train.R) in Python: the same arguments, in the same order, with
the same meaning, so that the same data, seed and settings train the same weights in both languages.
"""

from __future__ import annotations

import json
from typing import Any

from .build import FIT_ATTRIBUTE
from .distribute import prepare_fit
from .expand import expand_fit, spec_graph
from .spec import Spec, load_spec

__all__ = ["fit_model", "fit_settings", "make_callback"]


def fit_settings(model: Any, spec: Any = None) -> dict[str, Any]:
    """The expanded ``fit`` settings that apply to ``model`` (R: fit_settings()).

    Those of ``spec`` when one is given (anything :func:`twinnet.load_spec` accepts; a spec without ``fit``
    gives Keras's defaults), else those :func:`twinnet.build_model` attached to the model, else Keras's
    defaults (1 epoch, batches of 32, no validation split, shuffled, no callbacks).
    """
    if spec is not None:
        spec = spec if isinstance(spec, Spec) else load_spec(spec)
        return expand_fit(spec_graph(spec).get("fit", {}))
    attached = getattr(model, FIT_ATTRIBUTE, None)
    return expand_fit(json.loads(attached) if isinstance(attached, str) else {})


def make_callback(keras: Any, settings: dict[str, Any]) -> Any:
    """A callback of expanded ``fit`` settings as Keras's object, every argument that is not null given."""
    cls = getattr(keras.callbacks, settings["callback"])
    return cls(**{k: v for k, v in settings.items() if k != "callback" and v is not None})


def fit_model(model: Any, x: Any, y: Any, epochs: int | None = None, batch_size: int | None = None,
              validation_data: Any = None, validation_split: float | None = None, shuffle: bool | None = None,
              seed: int | None = None, verbose: int | str | None = None, callbacks: list[Any] | None = None,
              spec: Any = None) -> Any:
    """Train a compiled model with a spec's ``fit`` settings; R's ``fit_model()`` does the same.

    Args:
        model: a compiled Keras model, e.g. from :func:`twinnet.build_model`.
        x, y: training inputs and targets (NumPy arrays).
        epochs, batch_size, validation_split, shuffle: as in Keras; None takes the spec's ``fit``
            setting, else Keras's default (1, 32, 0.0, True). A value given here wins over the spec's.
        validation_data: None, or ``(x_val, y_val)``.
        seed: None, or an integer: ``keras.utils.set_random_seed(seed)`` runs first, so the shuffling
            and dropout are those of R's ``fit_model()`` with the same seed.
        verbose: None (Keras's ``"auto"``: a progress bar), or Keras's 0, 1, 2 or ``"auto"``.
        callbacks: more Keras callbacks, run after those the spec declares.
        spec: None, or the spec whose ``fit`` settings apply (anything :func:`twinnet.load_spec`
            accepts); by default those :func:`twinnet.build_model` attached to the model.

    On several replicas (a model built with ``distribution=``), the replicas must be able to share every
    batch evenly, or a :class:`twinnet.distribute.DistributeError` says what to change; across processes
    the arrays go to Keras as ``tf.data`` datasets (:func:`twinnet.distribute.prepare_fit`).

    Returns:
        Keras's ``History``; the model is trained in place. With an ``EarlyStopping`` callback,
        ``len(history.epoch)`` is the number of epochs that ran.
    """
    import keras

    settings = fit_settings(model, spec)
    given = {"epochs": epochs, "batch_size": batch_size, "validation_split": validation_split, "shuffle": shuffle}
    chosen = {key: settings[key] if value is None else value for key, value in given.items()}
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    made = [make_callback(keras, c) for c in settings["callbacks"]]
    data = prepare_fit(model, {"x": x, "y": y, "batch_size": int(chosen["batch_size"]),
                               "validation_data": tuple(validation_data) if validation_data is not None else None,
                               "validation_split": float(chosen["validation_split"]),
                               "shuffle": bool(chosen["shuffle"])}, seed)
    return model.fit(**data, epochs=int(chosen["epochs"]), callbacks=[*made, *(callbacks or [])],
                     verbose="auto" if verbose is None else verbose)
