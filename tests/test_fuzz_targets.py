"""The fuzzing targets (bench/fuzz.py) keep working, and every reader keeps its contract on the
seeds and on simple damage to them: data, or fieldkit's own error; never another exception.
The fuzzer itself runs outside the suite (atheris, for minutes per reader)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import fuzz  # noqa: E402


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, list[Path]]:
    return fuzz.seeds(tmp_path_factory.mktemp("fuzz-seeds"))


def _damaged(data: bytes, rng: random.Random) -> list[bytes]:
    """The seed cut short, a run of bytes overwritten, and bytes flipped here and there."""
    out = [data[: len(data) // 2], data[: len(data) // 7], b"", data[:1]]
    for _ in range(4):
        copy = bytearray(data)
        start = rng.randrange(max(1, len(copy)))
        copy[start:start + 64] = bytes(rng.randrange(256) for _ in range(64))
        out.append(bytes(copy))
        copy = bytearray(data)
        for _ in range(max(1, len(copy) // 500)):
            copy[rng.randrange(max(1, len(copy)))] ^= 1 << rng.randrange(8)
        out.append(bytes(copy))
    return out


@pytest.mark.parametrize("name", sorted(fuzz.TARGETS))
def test_every_reader_keeps_its_contract_on_real_files_and_their_damage(name, seeds, tmp_path: Path):
    files = seeds[name]
    if not files and name in ("access", "xlsform"):  # their seeds are the shared fixtures only
        pytest.skip(f"the shared fixtures ({fuzz.SHARED_FIXTURES}) are not there")
    assert files, f"no seed for the {name} reader"
    rng = random.Random(name)
    for seed in files:
        data = seed.read_bytes()
        fuzz.one(fuzz.TARGETS[name], data, tmp_path)  # a seed itself reads, or is refused in fieldkit's words
        for damaged in _damaged(data, rng):
            fuzz.one(fuzz.TARGETS[name], damaged, tmp_path)


def test_a_reader_breaking_its_contract_is_caught(tmp_path: Path):
    broken = fuzz.Target("broken", ".csv", lambda path, scratch: {}["no such key"])
    with pytest.raises(KeyError):
        fuzz.one(broken, b"a,b\n1,2\n", tmp_path)
