"""The command line, ``twinnet`` or ``python -m twinnet``.

Subcommands: catalog, show, summary, cost, code, diagram, handout, notebook, examples, doctor, demo, train.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

from .errors import SpecError


def _summary(name: str) -> str:
    from .spec import load_spec
    from .spec_print import summary_text

    return summary_text(load_spec(name))


def expand_name(spec: str) -> str:
    from .spec import load_spec

    return str(load_spec(spec).data["name"])


def _print_or_fail(make: Callable[[], str], errors: tuple[type[Exception], ...]) -> int:
    """Print what ``make`` returns (0); one of ``errors`` (a file, Graphviz) is a message on stderr (1).
    A SpecError goes on to main()'s handler (2), though it is a ValueError."""
    try:
        print(make(), end="")
    except SpecError:
        raise
    except errors as e:
        print(f"twinnet: {e}", file=sys.stderr)
        return 1
    return 0


def _history(path: str | None) -> dict[str, list[float]] | None:
    from .handout import read_history

    return read_history(path) if path is not None else None


def _train(args: argparse.Namespace) -> int:
    """``twinnet train``: train_spec() with the command line's arguments; a summary line, the files asked for."""
    from .distribute import DistributeError, train_spec

    try:
        x = y = None
        if args.data is not None:
            import numpy as np

            with np.load(args.data) as held:
                x, y = held["x"], held["y"]
        done = train_spec(args.spec, replicas=args.replicas, x=x, y=y, seed=args.seed, epochs=args.epochs,
                          batch_size=args.batch_size, shuffle=False if args.no_shuffle else None, verbose=2,
                          samples=args.samples, coordinator=args.coordinator, num_processes=args.processes,
                          process_id=args.process_id)
    except (DistributeError, OSError, KeyError) as e:
        print(f"twinnet: {e}", file=sys.stderr)
        return 2
    last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in done.history.history.items())
    epochs, replicas = len(done.history.epoch), done.replicas
    print(f"{done.model.name}: {epochs} epoch{'s' * (epochs != 1)} on {replicas} replica{'s' * (replicas != 1)} in "
          f"{done.seconds:.1f} s; last epoch: {last}")
    if args.output:
        from .persist import write_model

        write_model(done.model, args.output)
        print(f"wrote {args.output}")
    if args.history:
        from pathlib import Path

        Path(args.history).write_text(json.dumps(done.history.history))
        print(f"wrote {args.history}")
    return 0


SPEC_HELP = "a catalog name (see `twinnet catalog`), a spec file or JSON text"
# The commands that use Keras: TensorFlow is loaded first, without its start-up noise (twinnet.quiet);
# `examples` leaves it to run_examples(), which loads it once the names are known to be examples, and
# `doctor` to doctor(), which loads it while R starts.
_KERAS_COMMANDS = {"train"}


def _version() -> str:
    from . import __version__

    return f"twinnet {__version__}"


def make_parser() -> argparse.ArgumentParser:
    """The command line's parser: every subcommand and option with its help."""
    parser = argparse.ArgumentParser(prog="twinnet", description="One JSON spec, the same Keras model in R and Python.",
                                     epilog="`twinnet COMMAND --help` tells more of each command.")
    parser.add_argument("--version", action="version", version=_version(), help="print twinnet's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("catalog", help="list the built-in specs", description="List the built-in specs.")
    p_show = sub.add_parser("show", help="print the expanded graph of a spec as JSON",
                            description="Print the expanded graph of a spec (every layer named, every default "
                            "written out) as JSON.")
    p_show.add_argument("spec", help=SPEC_HELP)
    p_sum = sub.add_parser("summary", help="print a spec's layer table (no Keras needed)",
                           description="Print a spec's layer table: output shapes and parameters.")
    p_sum.add_argument("spec", help=SPEC_HELP)
    p_cost = sub.add_parser("cost", help="print what each layer costs: MACs, connections, activations, bytes, memory",
                            description="Print what each layer costs: MACs, connections, activations, "
                            "parameter bytes and memory.")
    p_cost.add_argument("spec", help=SPEC_HELP)
    p_cost.add_argument("--batch", type=int, default=None, help="the batch size of the memory estimate (default 32)")
    p_code = sub.add_parser("code", help="print the Keras code that builds a spec's model",
                            description="Print the plain Keras code that builds a spec's model.")
    p_code.add_argument("spec", help=SPEC_HELP)
    p_code.add_argument("--language", choices=["python", "r", "r-reticulate"], default="python",
                        help="python (default), r (keras3 style) or r-reticulate (R on reticulate alone)")
    p_dia = sub.add_parser("diagram", help="draw a spec's network with Graphviz (SVG, PNG, PDF or DOT)",
                           description="Draw a spec's network with Graphviz: each layer with its output shape, "
                           "parameters, MACs, and kernel, stride and activation where it has them.")
    p_dia.add_argument("spec", help=SPEC_HELP)
    p_dia.add_argument("-o", "--output", help="file to write (.svg, .png, .pdf or .dot); without it, the DOT text "
                       "is printed")
    p_dia.add_argument("--format", choices=["svg", "png", "pdf", "dot"], help="instead of the file's extension")
    p_dia.add_argument("--dpi", type=int, default=None, help="PNG resolution in dots per inch (default 150, for a "
                       "projector)")
    p_dia.add_argument("--direction", choices=["TB", "LR", "BT", "RL"], default="TB",
                       help="where the network runs: TB top to bottom (default), LR left to right (wide slides)")
    p_dia.add_argument("--collapse", action="store_true",
                       help="one box per use of a repeated block (\"stage1 ×3 (6 layers)\") instead of its layers")
    p_ho = sub.add_parser("handout", help="write a self-contained HTML page: code in R and Python, layers, diagram",
                          description="Write one self-contained HTML page about a spec: the R and Python code, "
                          "the layer table, the diagram and the training curves.")
    p_ho.add_argument("spec", help=SPEC_HELP)
    p_ho.add_argument("-o", "--output", help="the HTML file (default: <spec name>.html)")
    p_ho.add_argument("--history", help="a JSON file of training curves: metric name -> values per epoch "
                      "(Keras's History.history)")
    p_nb = sub.add_parser("notebook", help="write a lesson: a Jupyter notebook (or .Rmd) that builds, trains and "
                          "compares the model in Python and in R",
                          description="Write a lesson: a Jupyter notebook (.ipynb) or R Markdown (.Rmd) that "
                          "builds, trains and compares the model in Python and in R.")
    p_nb.add_argument("spec", help="a catalog name or a spec file")
    p_nb.add_argument("-o", "--output", help="the .ipynb or .Rmd file (default: <spec name>.ipynb)")
    p_nb.add_argument("--no-train", action="store_true", help="compare the untrained models only (large networks)")
    p_nb.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")
    sub.add_parser("doctor", help="versions, and whether R and Python use the same interpreter",
                   description="Show which Python, Keras and backend each language uses, and whether R and "
                   "Python use the same interpreter.")
    p_ex = sub.add_parser("examples", help="run the lecture's worked examples: its numbers beside the model's",
                          description="Run the lecture's worked examples: its numbers beside the model's.")
    p_ex.add_argument("names", nargs="*", help="examples to run (default: all)")
    p_train = sub.add_parser("train", help="build a spec and train it on K replicas (devices; the CPU split into K)",
                             description="Build a spec and train it on K replicas (devices; the CPU split into K).")
    p_train.add_argument("spec", help=SPEC_HELP)
    p_train.add_argument("--replicas", type=int, default=1, help="devices that share each batch (per process)")
    p_train.add_argument("--epochs", type=int, help="default: the spec's fit settings, else 1")
    p_train.add_argument("--batch-size", type=int, help="the global batch; default: the spec's, else 32")
    p_train.add_argument("--seed", type=int, default=42, help="the seed of the weights and the training (default 42)")
    p_train.add_argument("--samples", type=int, help="train on the first N digits of the MNIST sample (default 4000)")
    p_train.add_argument("--data", help="an .npz file with arrays x and y, instead of the MNIST sample")
    p_train.add_argument("--no-shuffle", action="store_true", help="keep the samples' order")
    p_train.add_argument("-o", "--output", help="write the trained model to this .keras file")
    p_train.add_argument("--history", help="write the learning curves to this JSON file (for `twinnet handout`)")
    p_train.add_argument("--coordinator", help="JAX, several processes: host:port of process 0")
    p_train.add_argument("--processes", type=int, default=1, help="JAX: how many processes train together")
    p_train.add_argument("--process-id", type=int, default=0, help="JAX: this process's index, 0 to processes - 1")
    p_demo = sub.add_parser("demo", help="build a spec in Python and in R and compare them",
                            description="Build a spec in Python and in R and compare them: layers, parameters "
                            "and outputs; train specs for 32 x 32 digits on the MNIST sample in both.")
    p_demo.add_argument("spec", nargs="?", default="lenet5", help=SPEC_HELP + " (default lenet5)")
    p_demo.add_argument("--seed", type=int, default=42, help="the seed of the weights and the training (default 42)")
    p_demo.add_argument("--epochs", type=int, default=10, help="training epochs (default 10; 0: build only)")
    p_demo.add_argument("--out", default="out/demo", help="where the learning curves and models go (default out/demo)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status: 0 done, 1 a check failed or a file could not be written,
    2 a bad spec or argument."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # TensorFlow's later INFO lines
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command in _KERAS_COMMANDS:
        from .quiet import import_tensorflow_quietly

        import_tensorflow_quietly()
    try:
        return _run(args)
    except SpecError as e:
        print(f"twinnet: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("twinnet: stopped", file=sys.stderr)
        return 130
    except Exception as e:  # no traceback for a student: what went wrong, and how to see more
        if os.environ.get("TWINNET_TRACEBACK"):
            raise
        print(f"twinnet: {type(e).__name__}: {e}\n(set TWINNET_TRACEBACK=1 to see where)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    """One command."""
    if args.command == "catalog":
        from .catalog import catalog, format_catalog

        print(format_catalog(catalog()))
    elif args.command == "show":
        from .expand import expand

        print(json.dumps(expand(args.spec), indent=2))
    elif args.command == "summary":
        print(_summary(args.spec))
    elif args.command == "cost":
        from .cost import cost

        try:
            table = cost(args.spec, args.batch)
        except ValueError as e:  # a SpecError, a batch size below 1, or memory beyond what is counted exactly
            print(f"twinnet: {e}", file=sys.stderr)
            return 2
        print(table)
    elif args.command == "code":
        from .codegen import to_code

        print(to_code(args.spec, args.language), end="")
    elif args.command == "diagram":
        from .diagram import GraphvizError, diagram

        options = {"dpi": args.dpi, "direction": args.direction, "collapse": args.collapse}
        if args.output is None and args.format in (None, "dot"):
            return _print_or_fail(lambda: diagram(args.spec, **options), (GraphvizError, ValueError, OSError))
        path = args.output or f"{expand_name(args.spec)}.{args.format}"
        return _print_or_fail(lambda: f"{diagram(args.spec, path, args.format, **options)}\n",
                              (GraphvizError, ValueError, OSError))
    elif args.command == "handout":
        from .handout import handout

        return _print_or_fail(lambda: f"{handout(args.spec, args.output, history=_history(args.history))}\n",
                              (ValueError, TypeError, OSError))
    elif args.command == "notebook":
        from .notebook import notebook

        return _print_or_fail(lambda: f"{notebook(args.spec, args.output, not args.no_train, args.epochs)}\n",
                              (ValueError, TypeError, OSError))
    elif args.command == "doctor":
        from .doctor import doctor

        return 0 if doctor() else 1
    elif args.command == "examples":
        from .examples import format_examples, run_examples

        try:
            rows = run_examples(args.names or None)
        except ValueError as e:  # an unknown name: refused before TensorFlow loads (5 s)
            print(f"twinnet: {e}", file=sys.stderr)
            return 2
        print(format_examples(rows))
        return 0 if all(row.agrees for row in rows) else 1
    elif args.command == "train":
        return _train(args)
    elif args.command == "demo":
        from .demo import demo

        return demo(args.spec, args.seed, args.epochs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
