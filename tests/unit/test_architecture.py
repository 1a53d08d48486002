"""The import contracts in pyproject.toml cover the whole bot core (a new module cannot slip past)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _contract(contract_id: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["id"] == contract_id)


def _children(package: str) -> set[str]:
    folder = ROOT / package
    modules = {f"{package}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
    packages = {f"{package}.{p.parent.name}" for p in folder.glob("*/__init__.py")}
    return modules | packages


def test_every_core_module_is_kept_away_from_the_web_layer() -> None:
    sources = set(_contract("web-on-top")["source_modules"])
    assert _children("bot") - {"bot.web"} <= sources, "add the new bot module to the contract"
    assert "bot.web" not in sources and "index" in sources


def test_web_frameworks_are_forbidden_below_the_web_layer() -> None:
    forbidden = set(_contract("web-on-top")["forbidden_modules"])
    assert {"bot.web", "fastapi", "starlette", "gradio", "limits", "uvicorn"} <= forbidden


def test_layers_run_from_the_demo_down_to_the_index() -> None:
    assert _contract("layers")["layers"] == ["widget", "bot", "index"]


def test_every_module_of_the_core_has_its_layer() -> None:
    layers = _contract("core-layers")["layers"]
    placed = {f"bot.{name.strip()}" for layer in layers for name in layer.split("|")}
    assert _children("bot") == placed, "put the new bot module in a layer of the core-layers contract"
