"""The boundary between the tests and the student's code (tools/grader/codec.py, trusted.py).

Test cells run in a trusted interpreter; the student's functions in the sandboxed kernel. Here
the two halves are tested without a kernel: the codec (what crosses, what is refused, with which
message) and a trusted interpreter forked from the real zygote, driven by a stand-in for the
grading worker that answers its lookups and calls as the kernel would. Through the real command,
tests/bad_submissions.py covers the same boundary end to end (returns_object, lying_array,
raises_own_error, mutates_argument, endless_loop, prints_arguments).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tools.grader import codec, trusted

REPO = Path(__file__).resolve().parents[1]


def roundtrip(value):
    return codec.decode(codec.encode(value))


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 10**30, 1.5, "text ü", [], (), {},
    [1, [2.5, "a"], (None, True)], {"a": 1, 2: [3], (1, "b"): {"c": None}},
])
def test_plain_python_values_cross_unchanged(value):
    got = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_special_floats_cross():
    got = roundtrip([float("nan"), float("inf"), float("-inf")])
    assert np.isnan(got[0]) and got[1:] == [float("inf"), float("-inf")]


@pytest.mark.parametrize("array", [
    np.arange(6, dtype=np.int64).reshape(2, 3), np.array([0.5, -1.0], dtype=np.float32),
    np.array(3.0), np.array([[True, False]]), np.array([1 + 2j]), np.zeros((0, 4)),
    np.arange(10, dtype=np.uint8)[::3],
])
def test_numeric_arrays_cross_with_dtype_and_shape(array):
    got = roundtrip(array)
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    assert np.array_equal(got, array) and got.flags.writeable


def test_numpy_scalars_keep_their_type():
    for scalar in (np.float64(2.5), np.int32(-3), np.bool_(True), np.float32(0.25)):
        got = roundtrip(scalar)
        assert type(got) is type(scalar) and got == scalar


def test_ndarray_subclass_crosses_as_a_plain_array():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    got = roundtrip(np.array([1.0, 2.0]).view(Liar))
    assert type(got) is np.ndarray and not np.array_equal(got, [0.0, 0.0])


@pytest.mark.parametrize("value, message", [
    (object(), "the value is an object of type object"),
    ([1, {2, 3}], "the value[1] is an object of type set"),
    ({"f": print}, "the value['f'] is an object of type builtin_function_or_method"),
    (np.array(["a", "b"]), "numpy array of dtype <U1"),
    (np.array([None]), "numpy array of dtype object"),
    (np.random.default_rng(0), "object of type Generator"),
])
def test_anything_else_is_refused_naming_what_and_where(value, message):
    with pytest.raises(codec.Unplain, match="only numbers") as err:
        codec.encode(value, what="the value")
    assert message in str(err.value)


def test_size_and_depth_are_capped():
    with pytest.raises(codec.Unplain, match="too large"):
        codec.encode(np.zeros(2_000_000))
    deep: list = []
    for _ in range(60):
        deep = [deep]
    with pytest.raises(codec.Unplain, match="nested more than 40"):
        codec.encode(deep)


def test_decoder_builds_only_plain_values():
    with pytest.raises(codec.Unplain, match="unknown tag"):
        codec.decode('{"$p": "cos\\nsystem"}')
    with pytest.raises(codec.Unplain, match="dtype object"):
        codec.decode('{"$a": ["|O", [1], "AAAAAAAAAAA="]}')


def test_the_kernel_gets_the_same_codec():
    space: dict = {}
    exec(codec.source(), space)
    text = space["encode"]([np.arange(3), (1.5, "x")])
    assert text == codec.encode([np.arange(3), (1.5, "x")])


# ------------------------------------------------------------------ the trusted interpreter


class FakeKernel:
    """Answers the trusted interpreter as the grading worker would, from Python functions."""

    def __init__(self, functions: dict, values: dict | None = None):
        self.functions, self.values = functions, values or {}
        self.calls: list = []
        self.targets: list = []

    def answer(self, message: dict) -> dict:
        if message["op"] == "lookup":
            names = {}
            for name in message["names"]:
                if name in self.functions:
                    names[name] = ["function", None]
                elif name in self.values:
                    try:
                        names[name] = ["value", codec.encode(self.values[name])]
                    except codec.Unplain:
                        names[name] = ["other", f"an object of type "
                                                f"{type(self.values[name]).__name__}"]
            signatures = {}
            for name in names:
                if names[name][0] == "function" and callable(self.functions[name]):
                    signatures[name] = [
                        [p.name, int(p.kind), [] if p.default is p.empty
                         else ["plain", codec.encode(p.default)]]
                        for p in inspect.signature(self.functions[name]).parameters.values()]
            return {"op": "reply", "names": names, "signatures": signatures}
        self.targets.append(message["target"][2])
        fn = self.functions[message["target"][2]]
        if fn == "timeout":
            return {"op": "reply", "failure": ["timeout", "timed out: f(...) ran too long"]}
        (args, kwargs), = codec.decode(message["batch"])
        self.calls.append(args)
        payload = {"results": []}
        try:
            with warnings.catch_warnings(record=True) as caught:  # as the kernel's helper does
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            payload["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
            payload["results"].append(codec.encode(result))
        except codec.Unplain:
            payload["error"] = ["TypeError", f"f returned an object of type "
                                             f"{type(result).__name__}; return numbers"]
        except Exception as err:
            payload["error"] = [type(err).__name__, str(err)]
        payload["args"] = [codec.encode(a) for a in args]
        return {"op": "reply", "payload": payload}


@pytest.fixture(scope="module")
def zygote():
    z = trusted.Zygote()
    yield z
    z.close()


def run_cells(zygote, kernel: FakeKernel, *cells: str, locked: str = "") -> list[list[dict]]:
    """Outputs of each test cell, run after an instructor cell of imports (plus ``locked``)."""
    sock, _ = zygote.child()
    sock.settimeout(60)
    results = []
    setup = "import numpy as np\nfrom nnlib.checks import call, check_close, check_true\n" + locked
    for source, student_names in [(setup, False)] + [(c, True) for c in cells]:
        trusted.send(sock, {"op": "run", "source": source, "name": "test",
                            "student_names": student_names})
        while True:
            message = trusted.recv(sock)
            if message["op"] == "done":
                results.append(message["outputs"])
                break
            trusted.send(sock, kernel.answer(message))
    sock.close()
    return results[1:]


def errors(outputs: list[dict]) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]


def test_a_call_returns_the_students_result_and_passes_the_checks(zygote):
    kernel = FakeKernel({"f": lambda x: np.asarray(x) * 2})
    out, = run_cells(zygote, kernel, "got = f(np.array([1.0, 2.0]))\n"
                                     "check_close(got, [2.0, 4.0])\nprint('passed', type(got))")
    assert errors(out) == [] and "passed <class 'numpy.ndarray'>" in out[0]["text"]


def test_arguments_changed_in_place_come_back_into_the_callers_objects(zygote):
    def scale(w, d):
        w *= 3
        d["seen"] = True
        return None

    kernel = FakeKernel({"scale": scale})
    out, = run_cells(zygote, kernel, "w = np.array([1.0, 2.0]); d = {}\nscale(w, d)\n"
                                     "check_close(w, [3.0, 6.0])\n"
                                     "check_true(d == {'seen': True}, 'dict changed')")
    assert errors(out) == []


def test_a_students_exception_is_raised_in_the_test_with_its_type_and_message(zygote):
    def broken(x):
        raise ValueError("not ready")

    out, = run_cells(zygote, FakeKernel({"f": broken}), "f(1)")
    assert errors(out) == ["ValueError: not ready"]


def test_a_result_that_is_not_plain_data_fails_with_a_clear_message(zygote):
    out, = run_cells(zygote, FakeKernel({"f": lambda x: object()}), "f(1)")
    assert errors(out) == ["TypeError: f returned an object of type object; return numbers"]


def test_a_call_that_times_out_fails_the_test(zygote):
    out, = run_cells(zygote, FakeKernel({"f": "timeout"}), "f(1)")
    assert errors(out) == ["CallTimedOut: timed out: f(...) ran too long"]


def test_a_test_cannot_pass_objects_to_the_student(zygote):
    kernel = FakeKernel({"f": lambda x: x})
    out, = run_cells(zygote, kernel, "f(open)")
    assert errors(out)[0].startswith("TypeError: the test could not pass argument 1 of f is an "
                                     "object of type builtin_function_or_method")
    assert kernel.calls == []


def test_a_student_value_that_is_not_plain_data_says_what_it_is(zygote):
    kernel = FakeKernel({}, {"w_spam": [1.0, 2.0], "model": object()})
    out, = run_cells(zygote, kernel, "check_close(w_spam, [1.0, 2.0])\nmodel.predict(1)")
    assert errors(out) == ["TypeError: `model` in your notebook is an object of type object; "
                           "the tests can only read numbers, strings, None, lists, tuples, "
                           "dicts and numpy arrays of numbers"]


def test_builtins_and_instructor_names_are_never_looked_up_in_the_kernel(zygote):
    asked: list = []
    kernel = FakeKernel({"zip": lambda *a: [], "check_close": lambda *a, **k: None})
    original = kernel.answer

    def spy(message):
        if message["op"] == "lookup":
            asked.extend(message["names"])
        return original(message)

    kernel.answer = spy
    out, = run_cells(zygote, kernel, "pairs = list(zip([1], [2]))\n"
                                     "check_close(len(pairs), 2.0)")
    assert asked == [] and errors(out)[0].startswith("AssertionError")


def test_warnings_of_the_students_call_are_raised_in_the_test_as_in_a_notebook(zygote):
    def textbook_sigmoid(z):
        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))

    kernel = FakeKernel({"sigmoid": textbook_sigmoid})
    strict, lenient = run_cells(zygote, kernel, (
        "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('error')\n"
        "    call(sigmoid, np.array([-1000.0]))\n"), "check_close(sigmoid(-1000.0), 0.0)")
    assert len(errors(strict)) == 1
    assert errors(strict)[0].startswith("AssertionError: sigmoid(np.array([-1000.0])) raised "
                                        "RuntimeWarning: overflow encountered in exp")
    assert "Hint: exp of a large number overflows" in errors(strict)[0]
    assert errors(lenient) == []  # without the filter a warning is only a warning
    shown = "".join(o.get("text", "") for o in lenient)
    assert "call(" not in shown and "check_close" not in shown  # no line of the test shown


def test_messages_name_the_students_parameters(zygote):
    def normalise(weights, scale=1.0):
        weights /= scale * np.sum(weights)
        return weights

    out, = run_cells(zygote, FakeKernel({"normalise": normalise}),
                     "call(normalise, np.array([1.0, 3.0]), 2.0)")
    assert "normalise(np.array([1.0, 3.0]), 2.0): the argument weights" in errors(out)[0]
    out, = run_cells(zygote, FakeKernel({"normalise": normalise}),
                     "import inspect\nprint(inspect.signature(normalise))")
    assert errors(out) == [] and out[0]["text"].strip() == "(weights, scale=1.0)"


def test_a_locked_helper_that_uses_the_students_function_runs_in_the_kernel(zygote):
    kernel = FakeKernel({"gradient_of": lambda name, x, eps=1e-6: np.asarray(x) * 2})
    locked = ("TEST_FUNCTIONS = {'square': lambda v: v**2}\n"
              "def gradient_of(name, x, eps=1e-6):\n"
              "    return numerical_gradient(TEST_FUNCTIONS[name], x, eps)\n"
              "def twice(x):\n    return 2 * np.asarray(x)\n")
    out, = run_cells(zygote, kernel, "check_close(call(gradient_of, 'square', np.array([1.0])), "
                     "[2.0])\ncheck_close(twice(1.0), 2.0)", locked=locked)
    assert errors(out) == [] and kernel.targets == ["gradient_of"]  # twice ran here


# ------------------------------------------------------------------ the answer key


def _ch01(aid: str = "ch01_perceptron"):
    import nbformat
    from grading_course import REPO, cell_by_id, solved, with_cell

    from tools import exercises

    release = nbformat.read(str(exercises.release_dir(REPO, aid) / f"{aid}.ipynb"), 4)
    good = solved(release, nbformat.read(str(exercises.solution_notebook(REPO, aid)), 4))
    return release, good, cell_by_id, with_cell


def test_answer_keys_are_the_parts_functions_that_nnlib_also_has():
    from tools.grader import answerkey

    release, _, _, _ = _ch01()
    assert answerkey.part_functions(release) == {
        "weighted_sum": "nnlib.neuron.weighted_sum", "step": "nnlib.activations.step"}


@pytest.mark.parametrize("source, found", [
    ("from nnlib.activations import step\n", "imports step from nnlib.activations"),
    ("from nnlib.activations import step as s\nstep = s\n", "imports step from nnlib"),
    ("def step(z):\n    return nnlib.activations.step(z)\n", "step calls another step"),
    ("def step(z):\n    return book.step(z)\n", "step calls another step"),
    ("import importlib\nstep = getattr(importlib.import_module('nnlib.activations'), 'step')\n",
     "binds step to nnlib's"),
    ("def step(z):\n    return getattr(nnlib.activations, 'st' + 'ep')(z)\n",
     "step looks functions up dynamically"),
])
def test_answer_key_use_is_found_in_the_source(source, found):
    from tools.grader import answerkey

    release, good, _, with_cell = _ch01()
    keys = answerkey.part_functions(release)
    findings = answerkey.findings(with_cell(good, "step", source), keys)
    assert any(found in f for f in findings), findings


def test_answer_keys_named_in_a_solution_cells_metadata_count_under_another_name():
    from tools.grader import answerkey

    release, _, _, _ = _ch01("ch06_convolution")
    keys = answerkey.part_functions(release)
    assert keys["output_size"] == "nnlib.conv.conv_output_size"
    assert keys["conv2d_single"] == "nnlib.conv.conv2d"
    assert keys["maxpool_forward"] == "nnlib.conv.max_pool2d"


@pytest.mark.parametrize("cell, source, found", [
    ("output_size", "def output_size(n, k, stride=1, padding=0):\n"
                    "    return conv_output_size(n, k, stride, padding)\n",
     "output_size calls conv_output_size"),
    ("conv_single", "def conv2d_single(image, kernel, stride=1, padding=0):\n"
                    "    x = np.asarray(image, dtype=float)[None, None]\n"
                    "    w = np.asarray(kernel, dtype=float)[None, None]\n"
                    "    return nnlib.conv.conv2d(x, w, stride=stride, padding=padding)[0, 0]\n",
     "conv2d_single calls conv2d"),
    ("maxpool", "from nnlib.conv import max_pool2d\n", "imports max_pool2d from nnlib.conv"),
])
def test_answer_key_under_another_name_is_found_in_the_source(cell, source, found):
    from tools.grader import answerkey

    release, good, _, with_cell = _ch01("ch06_convolution")
    findings = answerkey.findings(with_cell(good, cell, source), answerkey.part_functions(release))
    assert any(found in f for f in findings), findings


def test_answer_key_inventory_read_from_source_is_what_importing_nnlib_finds():
    """``nnlib_functions`` reads nnlib's source instead of importing it; the inventory must be
    the one importing every module and listing its public functions and classes gives."""
    import importlib
    import pkgutil

    import nnlib
    from tools.grader import answerkey

    imported: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(nnlib.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"nnlib.{info.name}")
        for name, value in vars(module).items():
            if callable(value) and not name.startswith("_") and getattr(
                    value, "__module__", "").startswith("nnlib"):
                imported.setdefault(name, f"{value.__module__}.{name}")
    read = answerkey.nnlib_functions()
    differ = {name: (imported.get(name), read.get(name)) for name in set(imported) | set(read)
              if imported.get(name) != read.get(name)}
    assert not differ, (
        "name: (found by importing nnlib, read from its source) where they differ: "
        f"{differ}\nA callable bound at a module's top level other than by def, class or "
        "`from ... import` is not seen by tools/grader/answerkey.py: bind it with def or "
        "teach _top_level_callables the new form")
    assert {"weighted_sum", "step", "Dense", "conv_output_size"} <= set(read)


def test_answer_key_inventory_imports_neither_nnlib_nor_its_plotting_libraries():
    code = ("import sys; from tools.grader.answerkey import nnlib_functions; "
            "assert nnlib_functions(); "
            "print(sorted(m for m in ('nnlib', 'matplotlib', 'ipywidgets', 'anywidget') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]", f"imported by the answer key's inventory: {proc.stdout}"


def test_answer_keys_of_every_set_name_real_nnlib_objects():
    """A typo in a solution cell's ``answer_key`` metadata would silently disable the flag."""
    import importlib

    import nbformat
    from grading_course import REPO

    from tools import exercises
    from tools.grader import answerkey

    wrong = []
    for aid in exercises.assignment_ids(REPO):
        release = nbformat.read(str(exercises.release_dir(REPO, aid) / f"{aid}.ipynb"), 4)
        for name, dotted in answerkey.part_functions(release).items():
            module, _, attr = dotted.rpartition(".")
            try:
                found = callable(getattr(importlib.import_module(module), attr))
            except (ImportError, AttributeError):
                found = False
            if not found:
                wrong.append(f"{aid}: {name} -> {dotted}")
    assert wrong == [], wrong


def test_chapter_7_answer_keys_under_other_names_are_read_from_the_metadata():
    from tools.grader import answerkey

    release, _, _, _ = _ch01("ch07_language_model")
    keys = answerkey.part_functions(release)
    assert keys["attention"] == "nnlib.attention.scaled_dot_product_attention"
    assert keys["text_perplexity"] == "nnlib.language_model.perplexity"
    assert keys["embed"] == "nnlib.attention.Embedding"
    assert keys["causal_mask"] == "nnlib.attention.causal_mask"      # same name: found by name
    assert keys["merge_pair"] == "nnlib.tokens.merge_pair"


def test_honest_solutions_of_every_set_use_no_answer_key():
    import nbformat
    from grading_course import REPO, solved

    from tools import exercises
    from tools.grader import answerkey

    for aid in exercises.assignment_ids(REPO):
        release = nbformat.read(str(exercises.release_dir(REPO, aid) / f"{aid}.ipynb"), 4)
        good = solved(release, nbformat.read(str(exercises.solution_notebook(REPO, aid)), 4))
        keys = answerkey.part_functions(release)
        assert answerkey.findings(good, keys) == [] and answerkey.findings(release, keys) == []
