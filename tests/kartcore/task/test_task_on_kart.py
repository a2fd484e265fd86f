"""TaskOnKart: outputs, dump/load in every shape, completion, rerun, records and bad input."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import (
    BuildError,
    EmptyDumpError,
    FormatError,
    OutputNotFoundError,
    TaskDefinitionError,
    UnsafePathError,
    UnsupportedFormatError,
)
from tests.conftest import files_under, no_temp_files


class Producer(kartcore.TaskOnKart[str]):
    text = luigi.Parameter(default="hello")

    def run(self) -> None:
        self.dump(self.text)


class ListConsumer(kartcore.TaskOnKart[list]):
    def requires(self):
        return [Producer(text="a"), Producer(text="b")]

    def run(self) -> None:
        self.dump(self.load())


class DictConsumer(kartcore.TaskOnKart[dict]):
    def requires(self):
        return {"first": Producer(text="a"), "second": Producer(text="b")}

    def run(self) -> None:
        self.dump({"all": self.load(), "first": self.load("first"), "task": self.load(Producer(text="b"))})


class TwoOutputs(kartcore.TaskOnKart[dict]):
    def output(self):
        return {"text": self.make_target("two/out.txt"), "data": self.make_target("two/out.pkl")}

    def run(self) -> None:
        self.dump(["x", "y"], "text")
        self.dump({"k": 1}, "data")


class GeneratorConsumer(kartcore.TaskOnKart[list]):
    def requires(self):
        return {"x": Producer(text="x"), "y": Producer(text="y")}

    def run(self) -> None:
        self.dump(list(self.load_generator()))


def test_default_output_path_is_module_path_class_name_and_unique_id(workspace: Path) -> None:
    task = Producer()
    expected = f"./resources/{__name__.replace('.', '/')}/Producer_{task.make_unique_id()}.pkl"
    assert task.output().path() == expected
    assert kartcore.build(task) == "hello"
    assert (workspace / __name__.replace(".", "/") / f"Producer_{task.make_unique_id()}.pkl").exists()


def test_generic_subscription_is_a_task_class() -> None:
    assert issubclass(Producer, kartcore.TaskOnKart)
    assert kartcore.TaskOnKart[int] is not None


def test_load_list_dict_key_and_task() -> None:
    assert kartcore.build(ListConsumer()) == ["a", "b"]
    assert kartcore.build(DictConsumer()) == {"all": {"first": "a", "second": "b"}, "first": "a", "task": "b"}


def test_load_generator_yields_values_not_keys() -> None:
    assert kartcore.build(GeneratorConsumer()) == ["x", "y"]


def test_several_outputs_through_a_dict_of_targets(workspace: Path) -> None:
    assert kartcore.build(TwoOutputs()) == {"text": ["x", "y"], "data": {"k": 1}}
    uid = TwoOutputs().make_unique_id()
    assert (workspace / "two" / f"out_{uid}.txt").read_text() == "x\ny\n"


def test_make_target_without_unique_id_and_extension_choice(workspace: Path) -> None:
    task = Producer()
    target = task.make_target("fixed/name.json", use_unique_id=False)
    assert target.path() == "./resources/fixed/name.json"
    target.dump({"a": [1, "é"]})
    assert target.load() == {"a": [1, "é"]}


def test_unique_id_goes_before_the_last_extension_only() -> None:
    assert Producer().make_target("a.tar.gz").path().endswith(f"a.tar_{Producer().make_unique_id()}.gz")


def test_significant_parameter_change_gives_new_file_and_insignificant_does_not() -> None:
    class Versioned(kartcore.TaskOnKart):
        version = luigi.IntParameter(default=1)
        note = luigi.Parameter(default="", significant=False)

    assert Versioned(version=1).make_unique_id() != Versioned(version=2).make_unique_id()
    assert Versioned(note="a").make_unique_id() == Versioned(note="b").make_unique_id()
    assert Versioned(workspace_directory="elsewhere").make_unique_id() == Versioned().make_unique_id()


def test_rerun_runs_again_into_the_same_file(workspace: Path) -> None:
    class Counter(kartcore.TaskOnKart):
        def run(self) -> None:
            self.dump(os.getpid() + len(os.listdir(".")))

    first = Counter()
    kartcore.build(first)
    path = Path(first.output().path())
    os.utime(path, (0, 0))
    luigi.task_register.Register.clear_instance_cache()
    again = Counter(rerun=True)
    assert again.output().path() == first.output().path()
    kartcore.build(again)
    assert path.stat().st_mtime > 0


def test_complete_and_strict_check(workspace: Path) -> None:
    consumer = ListConsumer()
    assert not consumer.complete()
    kartcore.build(consumer)
    assert consumer.complete()
    os.remove(Producer(text="a").output().path())
    assert ListConsumer().complete()
    luigi.task_register.Register.clear_instance_cache()
    assert not ListConsumer(strict_check=True).complete()


def test_run_records_are_written_with_content(workspace: Path) -> None:
    task = Producer(text="logged")
    kartcore.build(task)
    uid = task.make_unique_id()
    log = workspace / "log"
    assert pickle.loads((log / "task_params" / f"Producer_{uid}.pkl").read_bytes()) == {"text": "logged"}
    seed = pickle.loads((log / "random_seed" / f"Producer_{uid}.pkl").read_bytes())
    assert seed["seed"] == int(uid, 16) % (2**32 - 1)
    assert "random.seed" in seed["seed_methods"]
    assert isinstance(pickle.loads((log / "processing_time" / f"Producer_{uid}.pkl").read_bytes()), float)
    task_log = pickle.loads((log / "task_log" / f"Producer_{uid}.pkl").read_bytes())
    assert task_log == {"file_path": [task.output().path()]}
    versions = (log / "module_versions" / f"Producer_{uid}.txt").read_text().splitlines()
    assert any(line.startswith("luigi==") for line in versions)
    assert all("==" in line for line in versions)


def test_task_log_and_fixed_seed_are_recorded(workspace: Path) -> None:
    class Logged(kartcore.TaskOnKart):
        def run(self) -> None:
            import random

            self.task_log["draw"] = random.random()
            self.dump(1)

    task = Logged(fix_random_seed_value=0)
    kartcore.build(task)
    import random

    random.seed(0)
    assert task.get_task_log()["draw"] == random.random()
    seed_file = workspace / "log" / "random_seed" / f"Logged_{task.make_unique_id()}.pkl"
    assert pickle.loads(seed_file.read_bytes())["seed"] == 0
    assert isinstance(task.get_processing_time(), float)


def test_supplementary_logs_can_be_turned_off(workspace: Path) -> None:
    kartcore.build(Producer(should_dump_supplementary_log_files=False))
    assert not (workspace / "log").exists()


def test_default_requires_collects_task_parameters() -> None:
    class Wrapper(kartcore.TaskOnKart):
        upstream = kartcore.TaskInstanceParameter()
        many = kartcore.ListTaskInstanceParameter()

        def run(self) -> None:
            self.dump((self.load("upstream"), self.load("many")))

    task = Wrapper(upstream=Producer(text="u"), many=[Producer(text="m1"), Producer(text="m2")])
    required = task.requires()
    assert required == {"upstream": Producer(text="u"), "many": (Producer(text="m1"), Producer(text="m2"))}
    required.clear()  # each call hands out its own dict: a caller's change does not stick
    assert set(task.requires()) == {"upstream", "many"}
    assert kartcore.build(task) == ("u", ["m1", "m2"])


def test_clone_does_not_carry_rerun() -> None:
    task = Producer(rerun=True, text="c")
    clone = task.clone()
    assert clone.text == "c" and clone.rerun is False


def test_repr_names_family_id_and_params() -> None:
    task = Producer(text="r")
    assert repr(task) == f"Producer[{task.make_unique_id()}](text=r)"


def test_restore_from_task_params_record() -> None:
    task = Producer(text="restored")
    kartcore.build(task)
    assert Producer.restore(task.make_unique_id()).text == "restored"


def test_fail_on_empty_dump_refuses_empty_frame_and_writes_nothing(workspace: Path) -> None:
    pd = pytest.importorskip("pandas")

    class Empty(kartcore.TaskOnKart):
        def run(self) -> None:
            self.dump(pd.DataFrame())

    with pytest.raises(BuildError) as info:
        kartcore.build(Empty(fail_on_empty_dump=True))
    assert isinstance(info.value.exception, EmptyDumpError)
    assert isinstance(info.value.exception, AssertionError)
    assert not Path(Empty().output().path()).exists()


def test_config_section_for_the_class_sets_parameters(tmp_path: Path) -> None:
    (tmp_path / "param.ini").write_text("[Producer]\ntext = from-config\n")
    kartcore.add_config(str(tmp_path / "param.ini"))
    assert Producer().text == "from-config"


# ----- bad input: a clear error naming the task and the file, nothing partial left ----------------


class NeverDumps(kartcore.TaskOnKart):
    def run(self) -> None:
        pass


class ListToCsv(kartcore.TaskOnKart):
    def output(self):
        return self.make_target("bad/data.csv")

    def run(self) -> None:
        self.dump([1, 2, 3])


class UnknownExtension(kartcore.TaskOnKart):
    def output(self):
        return self.make_target("bad/data.unknownext")

    def run(self) -> None:
        self.dump(1)


class Escaping(kartcore.TaskOnKart):
    def output(self):
        return self.make_target("../x.pkl")

    def run(self) -> None:
        self.dump(1)


class ReturnsNonTask(kartcore.TaskOnKart):
    def requires(self):
        return "not a task"

    def run(self) -> None:
        self.dump(1)


class LoadsMissing(kartcore.TaskOnKart):
    def requires(self):
        return Producer(text="never-built")

    def run(self) -> None:
        self.dump(self.load())


def test_run_that_never_dumps_fails_naming_task_and_file(workspace: Path) -> None:
    task = NeverDumps()
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    message = str(info.value)
    assert "NeverDumps" in message and task.output().path() in message and "self.dump" in message
    assert isinstance(info.value.exception, OutputNotFoundError)
    assert not Path(task.output().path()).exists()
    assert not (workspace / "log" / "task_log").exists()


def test_object_the_format_cannot_hold(workspace: Path) -> None:
    task = ListToCsv()
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert isinstance(info.value.exception, FormatError)
    message = str(info.value.exception)
    assert "ListToCsv" in message and "data_" in message and ".csv" in message
    assert "pandas DataFrame" in message and "list" in message
    assert not (workspace / "bad").exists() or files_under(workspace / "bad") == []


def test_unknown_extension_lists_supported_ones() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        UnknownExtension().output()
    message = str(info.value)
    assert "UnknownExtension" in message and ".unknownext" in message
    for extension in (".pkl", ".txt", ".json", ".csv", ".tsv", ".gz"):
        assert extension in message
    with pytest.raises(BuildError):
        kartcore.build(UnknownExtension())


def test_path_escaping_the_workspace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError) as info:
        Escaping().output()
    assert "Escaping" in str(info.value) and "../x.pkl" in str(info.value)
    with pytest.raises(BuildError):
        kartcore.build(Escaping())
    assert not (tmp_path / "x.pkl").exists()
    assert not any(tmp_path.glob("x_*.pkl"))


class NamedByValue(kartcore.TaskOnKart[int]):
    value = luigi.Parameter()

    def output(self) -> kartcore.Target:
        return self.make_target(f"by_value/{self.value}.pkl", use_unique_id=False)

    def run(self) -> None:
        self.dump(1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "output path 'by_value/.pkl' has no file name before its extension '.pkl'"),
        ("a\x00b", "contains a NUL byte"),
        ("x/", "output path 'by_value/x/.pkl' has no file name"),
    ],
)
def test_paths_that_cannot_name_a_file_are_refused_before_anything_is_written(
    tmp_path: Path, value: str, expected: str
) -> None:
    with pytest.raises(UnsafePathError, match=expected.replace("(", "\\(")):
        NamedByValue(value=value).output()
    with pytest.raises(BuildError) as info:
        kartcore.build(NamedByValue(value=value))
    assert isinstance(info.value.exception, UnsafePathError)
    assert files_under(tmp_path) == []


def test_a_hidden_file_name_with_its_own_format_is_allowed(workspace: Path) -> None:
    class Hidden(kartcore.TaskOnKart[str]):
        def output(self) -> kartcore.Target:
            return self.make_target(".settings.json", use_unique_id=False)

        def run(self) -> None:
            self.dump({"a": 1})

    assert kartcore.build(Hidden()) == {"a": 1}
    assert (workspace / ".settings.json").exists()


def test_requires_returning_a_non_task(workspace: Path) -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(ReturnsNonTask())
    assert isinstance(info.value.exception, TaskDefinitionError)
    message = str(info.value)
    assert "ReturnsNonTask.requires()" in message and "'not a task'" in message and __file__ in message
    assert not workspace.exists()


def test_load_of_a_missing_input_names_task_and_file() -> None:
    task = LoadsMissing()
    with pytest.raises(OutputNotFoundError) as info:
        task.load()
    message = str(info.value)
    assert "LoadsMissing" in message and Producer(text="never-built").output().path() in message


def test_load_of_a_task_that_is_not_required() -> None:
    with pytest.raises(TaskDefinitionError, match="not among its requires"):
        LoadsMissing().load(Producer(text="other"))


def test_dump_to_unknown_key_and_ambiguous_dump() -> None:
    with pytest.raises(TaskDefinitionError, match="no output named 'nope'"):
        TwoOutputs().dump(1, "nope")
    with pytest.raises(TaskDefinitionError, match="several outputs"):
        TwoOutputs().dump(1)


def test_dump_that_raises_half_way_keeps_the_previous_output(workspace: Path) -> None:
    class Exploding:
        def __reduce__(self):
            raise RuntimeError("boom while pickling")

    class HalfWay(kartcore.TaskOnKart):
        explode = luigi.BoolParameter(default=False, significant=False)

        def run(self) -> None:
            self.dump(["first", "part", Exploding()] if self.explode else "previous")

    kartcore.build(HalfWay())
    path = Path(HalfWay().output().path())
    assert pickle.loads(path.read_bytes()) == "previous"
    luigi.task_register.Register.clear_instance_cache()
    task = HalfWay(explode=True, rerun=True)
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert "boom while pickling" in str(info.value)
    assert pickle.loads(path.read_bytes()) == "previous"
    assert no_temp_files(workspace)


def test_run_that_raises_after_dumping_publishes_nothing(workspace: Path) -> None:
    class DumpsThenFails(kartcore.TaskOnKart):
        def run(self) -> None:
            self.dump("partial result")
            raise ValueError("failed after dumping")

    task = DumpsThenFails()
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert isinstance(info.value.exception, ValueError)
    assert "failed after dumping" in info.value.traceback
    assert not task.complete()
    assert not Path(task.output().path()).exists()
    assert no_temp_files(workspace)


def test_endpoint_without_run_gathers_requirements_and_is_complete_when_they_are(workspace: Path) -> None:
    class Endpoint(kartcore.TaskOnKart):
        def requires(self):
            return {"a": Producer(text="a"), "b": Producer(text="b")}

    endpoint = Endpoint()
    assert not endpoint.complete()
    assert kartcore.build(endpoint) == {"a": "a", "b": "b"}
    assert endpoint.complete()
    assert not Path(endpoint.output().path()).exists()
