"""Training beyond one device: several devices of one machine, or several processes (R: R/distribute.R).

The model stays an ordinary Keras model: :func:`twinnet.build_model` with ``distribution=`` builds it
under the distribution, and Keras's ``fit``, ``evaluate``, ``predict`` and saving then work as usual.

- TensorFlow: ``tf.distribute.MirroredStrategy`` over the machine's devices (GPUs, or the CPU split into
  logical devices with :func:`split_cpu`); each replica takes its share of every global batch, and the
  gradients are summed across replicas.
- JAX: ``keras.distribution.DataParallel`` over ``keras.distribution.list_devices()``; across processes
  (:func:`initialize_processes`), the devices of every process.

What the backends have in common lives in shared_specs/distribute.json and the messages in
shared_specs/messages.json's ``distribute_errors``.
"""

from __future__ import annotations

import atexit
import math
import os
import time
from typing import Any, NamedTuple

from .errors import fill_template
from .tables import shared

__all__ = ["DistributeError", "Trained", "count_replicas", "initialize_processes", "make_distribution",
           "split_cpu", "train_spec"]

TABLE: dict[str, Any] = shared("distribute.json")


class DistributeError(ValueError):
    """A distribution that cannot work as asked: the backend, the devices, or batches the replicas cannot share
    (R: a condition of class ``twinnet_distribute_error``)."""


def distribute_error(error: str, **fields: Any) -> DistributeError:
    """The DistributeError ``error`` of messages.json's ``distribute_errors``, its placeholders filled."""
    template = shared("messages.json")["distribute_errors"][error]
    return DistributeError(fill_template(template, {k: str(v) for k, v in fields.items()}))


def _whole(what: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < low:
        raise distribute_error("whole_number", what=what, min=low, value=repr(value))
    return int(value)


def backend_name() -> str:
    import keras

    return str(keras.backend.backend())


def split_cpu(devices: int) -> list[str]:
    """Split the CPU into ``devices`` logical devices, so that a machine without accelerators can train on
    several replicas (to teach and to test data parallelism; it does not make training faster).

    TensorFlow: ``tf.config.set_logical_device_configuration``; JAX: the XLA flag
    ``--xla_force_host_platform_device_count``. Either works only before the backend first uses the CPU:
    call this first thing in a new process (or R session). Where the CPU has that many devices already,
    nothing changes.

    Returns:
        The devices' names.
    """
    devices = _whole("devices", devices)
    backend = backend_name()
    if backend == "tensorflow":
        import tensorflow as tf

        if _tf_started():  # its logical devices are fixed
            have = tf.config.list_logical_devices("CPU")
            if len(have) >= devices:
                return [d.name for d in have]
            raise distribute_error("split_too_late", backend="TensorFlow", have=_count(len(have), "logical device"),
                                   devices=devices)
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
        return [d.name for d in tf.config.list_logical_devices("CPU")]
    if backend == "jax":
        import jax
        from jax._src import xla_bridge

        if xla_bridge.backends_are_initialized():
            have = jax.local_devices(backend="cpu")
            if len(have) >= devices:
                return [str(d) for d in have]
            raise distribute_error("split_too_late", backend="JAX", have=_count(len(have), "device"), devices=devices)
        flag = f"--xla_force_host_platform_device_count={devices}"
        kept = [f for f in os.environ.get("XLA_FLAGS", "").split() if not f.startswith(flag.split("=")[0])]
        os.environ["XLA_FLAGS"] = " ".join([*kept, flag])
        return [str(d) for d in jax.local_devices(backend="cpu")]
    raise distribute_error("backend", backend=backend)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _tf_started() -> bool:
    """Whether TensorFlow's runtime has started (its logical devices are then fixed)."""
    from tensorflow.python.eager import context

    return bool(context.context()._initialized)  # no public way to ask that starts nothing


def initialize_processes(coordinator: str, num_processes: int, process_id: int) -> list[str]:
    """Join ``num_processes`` processes into one JAX cluster, before anything else uses JAX.

    Each process calls this with the same ``coordinator`` (``"host:port"`` of process 0, which listens
    there) and its own ``process_id`` (0 to ``num_processes - 1``); ``keras.distribution.initialize`` then
    connects them, and :func:`make_distribution` spreads the batches over every process's devices. Without
    accelerators the processes exchange gradients over TCP (JAX's CPU collectives, "gloo").
    JAX only: TensorFlow's multi-worker training does not work with Keras 3's ``fit()``.

    Returns:
        The devices of all processes.
    """
    num_processes = _whole("num_processes", num_processes)
    process_id = _whole("process_id", process_id, 0)
    backend = backend_name()
    if backend != "jax":
        raise distribute_error("processes_backend", backend=backend)
    import jax
    import keras

    jax.config.update("jax_cpu_collectives_implementation", TABLE["cpu_collectives"])
    keras.distribution.initialize(str(coordinator), num_processes, process_id)
    # at exit, wait for the others (a barrier): process 0 holds the cluster's coordination service
    atexit.register(jax.distributed.shutdown)
    return [str(d) for d in keras.distribution.list_devices()]


def _devices(backend: str) -> list[str]:
    """The devices a distribution may use: accelerators where there are any, else the CPU's (logical) devices."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_logical_devices("GPU")
        return [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    import keras

    return [str(d) for d in keras.distribution.list_devices()]


def make_distribution(replicas: int | None = None) -> Any:
    """The backend's data-parallel distribution over ``replicas`` devices (None: every device).

    TensorFlow: a ``tf.distribute.MirroredStrategy``; JAX: a ``keras.distribution.DataParallel`` (across
    processes, over the devices of all of them). Give it to :func:`twinnet.build_model` (``distribution=``),
    or enter its scope yourself.
    """
    backend = backend_name()
    if backend not in TABLE["strategies"]:
        raise distribute_error("backend", backend=backend)
    names = _devices(backend)
    wanted = len(names) if replicas is None else _whole("replicas", replicas)
    if wanted > len(names):
        raise distribute_error("too_few_devices", replicas=wanted, backend=backend,
                               have=_count(len(names), "device"), names=", ".join(names))
    if backend == "tensorflow":
        import tensorflow as tf

        return getattr(tf.distribute, TABLE["strategies"][backend])(devices=names[:wanted])
    import keras

    devices = keras.distribution.list_devices()
    return getattr(keras.distribution, TABLE["strategies"][backend])(devices=devices[:wanted])


def in_scope(distribution: Any, build: Any) -> Any:
    """``build()`` called under ``distribution`` (a number of replicas, a TensorFlow strategy or a Keras
    distribution); on JAX the distribution also becomes Keras's global one, which ``fit()`` reads."""
    if isinstance(distribution, int | float) and not isinstance(distribution, bool):
        distribution = make_distribution(_whole("replicas", distribution))
    backend = backend_name()
    if backend == "jax":
        import keras

        if _is_keras_distribution(distribution):
            keras.distribution.set_distribution(distribution)
            with distribution.scope():
                return build()
    elif backend == "tensorflow":
        import tensorflow as tf

        if isinstance(distribution, tf.distribute.Strategy):
            with distribution.scope():
                return build()
    else:
        raise distribute_error("backend", backend=backend)
    raise distribute_error("not_a_distribution", value=type(distribution).__name__)


def _is_keras_distribution(value: Any) -> bool:
    """Whether ``value`` is a keras.distribution.Distribution (Keras does not export the base class)."""
    return any(c.__name__ == "Distribution" and c.__module__.startswith("keras.") for c in type(value).__mro__)


def count_replicas(model: Any = None) -> int:
    """How many replicas share each batch when ``model`` trains: those of the TensorFlow strategy it was built
    under, or on JAX the devices of Keras's distribution; 1 on one device."""
    backend = backend_name()
    if backend == "tensorflow" and model is not None:
        return int(model.distribute_strategy.num_replicas_in_sync)
    if backend == "jax":
        import keras

        dist = keras.distribution.distribution()
        if dist is not None:
            return int(dist.device_mesh.devices.size)
    return 1


def count_processes() -> int:
    """How many processes train together (JAX's process count under a Keras distribution; else 1)."""
    if backend_name() != "jax":
        return 1
    import keras

    dist = keras.distribution.distribution()
    return int(getattr(dist, "num_processes", 1)) if dist is not None else 1


def check_batches(samples: int, batch_size: int, replicas: int, processes: int = 1) -> None:
    """Refuse batches that ``replicas`` replicas (in ``processes`` processes) cannot share evenly.

    Each replica averages the loss over its share of a batch, and the shares' gradients are summed with
    equal weight: that is one device's average only when the shares are equal. Across processes Keras
    splits each batch into equal parts (``tf.data``'s ``rebatch`` and ``shard``), so there every batch must
    be full.
    """
    if replicas <= 1 and processes <= 1:
        return
    if batch_size % replicas:
        raise distribute_error("batch_not_divisible", batch=batch_size, replicas=replicas)
    last = samples % batch_size
    if processes > 1 and last:
        raise distribute_error("partial_batch_processes", processes=processes, samples=samples, batch=batch_size,
                               last=last, keep=samples - last)
    if last % replicas:
        drop = last % replicas
        raise distribute_error("uneven_last_batch", last=last, samples=samples, batch=batch_size, replicas=replicas,
                               drop=drop, keep=samples - drop)


def _samples(x: Any) -> int | None:
    first = x[0] if isinstance(x, list | tuple) else x
    shape = getattr(first, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) > 0 else None


def prepare_fit(model: Any, args: dict[str, Any], seed: int | None) -> dict[str, Any]:
    """Keras ``fit()``'s arguments for a model that may train on several replicas (R: prepare_fit()).

    Checks that the replicas can share the batches (:func:`check_batches`: the training samples, and the
    validation samples across processes). Across processes, where Keras takes only a ``tf.data.Dataset``,
    the arrays become datasets batched with the global batch, shuffled (when asked) with ``seed`` (0 when
    None) so that every process draws the same order.
    """
    replicas, processes = count_replicas(model), count_processes()
    samples = _samples(args["x"])
    if samples is None or (replicas <= 1 and processes <= 1):
        return args
    split = float(args.get("validation_split") or 0.0)
    train = math.ceil(samples * (1.0 - split)) if split else samples  # where Keras splits
    batch = int(args["batch_size"])
    check_batches(train, batch, replicas, processes)
    if processes <= 1:
        return args
    import numpy as np
    import tensorflow as tf

    x, y, val = args["x"], args["y"], args.get("validation_data")
    if split:
        val = (x[train:], y[train:])
        x, y = x[:train], y[:train]
    data = tf.data.Dataset.from_tensor_slices((np.asarray(x), np.asarray(y)))
    if args.get("shuffle"):
        data = data.shuffle(train, seed=0 if seed is None else int(seed), reshuffle_each_iteration=True)
    out = {k: v for k, v in args.items() if k not in ("y", "batch_size", "validation_split", "shuffle")}
    out["x"] = data.batch(batch)
    if val is not None:
        check_batches(_samples(val[0]) or 0, batch, replicas, processes)
        out["validation_data"] = tf.data.Dataset.from_tensor_slices(tuple(np.asarray(v) for v in val)).batch(batch)
    return out


class Trained(NamedTuple):
    """What :func:`train_spec` returns: the trained model, Keras's History, the replicas and the seconds."""

    model: Any
    history: Any
    replicas: int
    seconds: float


def mnist_data(spec: Any, samples: int | None = None) -> tuple[Any, Any]:
    """The training digits of :func:`twinnet.mnist_split` in the shape of the spec's input, first ``samples``."""
    from .data import mnist_split, pad_digits
    from .expand import expand

    graph = expand(spec)
    shape = graph["layers"][0]["output_shape"][1:]
    key = "x".join(str(d) for d in shape)
    kind = TABLE["mnist_inputs"].get(key)
    if kind is None:
        raise distribute_error("no_mnist_input", name=graph["name"], shape="(" + ", ".join(map(str, shape)) +
                               ("," if len(shape) == 1 else "") + ")")
    split = mnist_split()
    n = len(split.y_train) if samples is None else _whole("samples", samples)
    digits, labels = split.x_train[:n], split.y_train[:n]
    if kind == "padded":
        x = pad_digits(digits)
    else:
        x = (digits / 255.0).astype("float32")
        x = x.reshape(len(x), -1) if kind == "flat" else x[..., None]
    return x, labels.astype("int32")


def train_spec(spec: Any, replicas: int = 1, x: Any = None, y: Any = None, seed: int | None = None,
               epochs: int | None = None, batch_size: int | None = None, shuffle: bool | None = None,
               verbose: int | str | None = None, init: str = "keras", samples: int | None = None,
               coordinator: str | None = None, num_processes: int = 1, process_id: int = 0) -> Trained:
    """Build a spec and train it on ``replicas`` devices (per process): ``twinnet train SPEC --replicas K``.

    Where the machine has fewer accelerators than ``replicas``, the CPU is split into that many devices
    (:func:`split_cpu`: do this in a new process). With ``num_processes`` > 1 (JAX), this process joins the
    others at ``coordinator`` first (:func:`initialize_processes`). Without ``x`` and ``y``, the model
    trains on the bundled MNIST sample (its first ``samples`` training digits), for specs that take digits.
    The other arguments are :func:`twinnet.build_model`'s and :func:`twinnet.fit_model`'s. R's
    ``train_spec()`` takes the same arguments.
    """
    from .build import build_model
    from .train import fit_model, fit_settings

    replicas = _whole("replicas", replicas)
    num_processes = _whole("num_processes", num_processes)
    if x is None or y is None:
        x, y = mnist_data(spec, samples)
    # batches the replicas cannot share are refused before anything starts (fit_model() checks them again)
    settings = fit_settings(None, spec)
    split = float(settings["validation_split"])
    count = _samples(x) or 0
    check_batches(math.ceil(count * (1.0 - split)) if split else count,
                  int(batch_size if batch_size is not None else settings["batch_size"]), replicas * num_processes,
                  num_processes)
    if num_processes > 1:
        if replicas > 1:
            split_cpu(replicas)
        initialize_processes(str(coordinator), num_processes, process_id)
    elif replicas > 1 and not _accelerators():
        split_cpu(replicas)
    started = time.perf_counter()
    distributed = num_processes > 1 or replicas > 1
    model = build_model(spec, seed=seed, init=init,
                        distribution=make_distribution(None if num_processes > 1 else replicas)
                        if distributed else None)
    history = fit_model(model, x, y, epochs=epochs, batch_size=batch_size, shuffle=shuffle, seed=seed,
                        verbose=verbose)
    return Trained(model, history, count_replicas(model), time.perf_counter() - started)


def _accelerators() -> bool:
    """Whether the backend sees a GPU or a TPU (without starting TensorFlow's runtime for the CPU alone)."""
    backend = backend_name()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return any(d.platform != "cpu" for d in jax.devices()) if _jax_started() else False
    return False


def _jax_started() -> bool:
    from jax._src import xla_bridge

    return bool(xla_bridge.backends_are_initialized())
