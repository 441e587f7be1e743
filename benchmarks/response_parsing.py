"""What tolerant response parsing costs on a conforming body: strict vs tolerant, one run.

    .venv/bin/python -m benchmarks.response_parsing [--calls 20000] [--rounds 7]

Generated operations parse a success body with ``parse_model`` / ``parse_typed``,
which validate from bytes in one call exactly as the strict parser did and walk
the data only when that fails.  This times, on the petstore client forgegen
generates into a temporary directory, the generated ``parse_response`` of
``getPetById`` (one ``Pet``) and of ``findPetsByStatus`` (a list of 20) against:

* the floor: plain ``Pet.model_validate_json`` / ``TypeAdapter(list[Pet]).validate_json``;
* before: the statement the generator wrote until tolerant parsing
  (``Pet.model_validate_json(response.content)``, ``parse_json(...)``) behind
  the same status check;
* ``strict=True`` (``Client(strict_responses=True)``) and the tolerant default.

A last row times the tolerant salvage of a drifting ``Pet`` (``null`` in its
required ``name``) for scale: the price is paid only by bodies that do not
conform.  No network: the parsing is what is compared.  Variants take turns
round by round, each round starting one variant later; the table reports the
median of the per-round means.  Targets
are read off the table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from pydantic import TypeAdapter

from benchmarks._common import PET, PETSTORE, generate, machine

PETS = [dict(PET, id=index) for index in range(20)]


def _generate(work: Path) -> Any:
    """forgegen's petstore client, generated as the other benchmarks generate it, imported."""
    root, package = generate("forgegen", PETSTORE, work)
    sys.path.insert(0, str(root))
    return importlib.import_module(package.name)


def _variants(package: Any) -> list[tuple[str, Callable[[], object]]]:
    """(row label, one parse) for every compared way of reading the same bytes."""
    name = package.__name__
    runtime = importlib.import_module(f"{name}._runtime")
    models = importlib.import_module(f"{name}.models")
    get_pet = importlib.import_module(f"{name}.api.pet.get_pet_by_id")
    find_pets = importlib.import_module(f"{name}.api.pet.find_pets_by_status")
    pet_model = models.Pet
    pets_type = list[pet_model]  # type: ignore[valid-type]
    one = runtime.HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(PET).encode())
    many = runtime.HttpResponse(
        200, {"Content-Type": "application/json"}, json.dumps(PETS).encode()
    )
    drifting = runtime.HttpResponse(200, None, json.dumps(dict(PET, name=None)).encode())
    pets_adapter = TypeAdapter(pets_type)
    parse_json = runtime.parse_json

    def before_one(response: Any) -> Any:
        if response.status_code == 200:
            return pet_model.model_validate_json(response.content)
        raise AssertionError("unreachable")

    def before_many(response: Any) -> Any:
        if response.status_code == 200:
            return cast("list[Any]", parse_json(response.content, pets_type))
        raise AssertionError("unreachable")

    return [
        (
            "Pet: `Pet.model_validate_json` (floor)",
            lambda: pet_model.model_validate_json(one.content),
        ),
        ("Pet: before (strict only)", lambda: before_one(one)),
        ("Pet: `strict_responses=True`", lambda: get_pet.parse_response(one, strict=True)),
        ("Pet: tolerant (default)", lambda: get_pet.parse_response(one, strict=False)),
        (
            "20 Pets: `TypeAdapter.validate_json` (floor)",
            lambda: pets_adapter.validate_json(many.content),
        ),
        ("20 Pets: before (strict only)", lambda: before_many(many)),
        ("20 Pets: `strict_responses=True`", lambda: find_pets.parse_response(many, strict=True)),
        ("20 Pets: tolerant (default)", lambda: find_pets.parse_response(many, strict=False)),
        (
            "drifting Pet: tolerant salvage (for scale)",
            lambda: get_pet.parse_response(drifting, strict=False),
        ),
    ]


def run(calls: int, rounds: int) -> list[tuple[str, float]]:
    # One warning is logged the first time the drifting body is salvaged; keep it off the table.
    logging.getLogger("requestforge.responses").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as work:
        variants = _variants(_generate(Path(work)))
        per_round: dict[str, list[float]] = {name: [] for name, _ in variants}
        for _, parse in variants:  # warm up: validators are built on first use
            for _ in range(200):
                parse()
        for round_number in range(rounds):
            # Each round starts one variant later: none always follows the slow salvage.
            shift = round_number % len(variants)
            for name, parse in variants[shift:] + variants[:shift]:
                started = time.perf_counter()
                for _ in range(calls):
                    parse()
                per_round[name].append((time.perf_counter() - started) / calls * 1e6)
    return [(name, statistics.median(values)) for name, values in per_round.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000, help="parses per variant per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    args = parser.parse_args()
    results = run(args.calls, args.rounds)
    floors = {"Pet": results[0][1], "20 Pets": results[4][1], "drifting Pet": results[0][1]}
    print(
        f"Parsing one success body, no network; {args.rounds} rounds x {args.calls} parses; "
        f"median of round means; {machine()}"
    )
    print()
    print("| parse | µs per body | vs floor |")
    print("|---|---:|---:|")
    for name, micros in results:
        floor = floors[name.split(":")[0]]
        print(f"| {name} | {micros:.2f} | {micros / floor:.2f}x ({micros - floor:+.2f} µs) |")


if __name__ == "__main__":
    main()
