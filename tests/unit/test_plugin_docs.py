"""docs/plugins.md keeps up with the hooks and UI slots Pipit declares."""

from __future__ import annotations

import re
from pathlib import Path

from pipit.plugins.hooks import HOOKS, SLOTS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_every_declared_hook_is_in_the_guide_with_its_kind():
    text = GUIDE.read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (value|event) \|", text, re.MULTILINE))
    missing = sorted(set(HOOKS) - set(rows))
    assert not missing, f"docs/plugins.md does not list hooks {missing}"
    assert {name: HOOKS[name].kind for name in rows if name in HOOKS} == {
        name: kind for name, kind in rows.items() if name in HOOKS
    }
    undeclared = sorted(set(rows) - set(HOOKS))
    assert not undeclared, f"docs/plugins.md lists hooks Pipit does not declare: {undeclared}"


def test_every_declared_slot_is_in_the_guide_with_its_context():
    text = GUIDE.read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]*) \|", text, re.MULTILINE))
    slots = {name: cells.strip() for name, cells in rows.items() if name not in HOOKS}
    missing = sorted(set(SLOTS) - set(slots))
    assert not missing, f"docs/plugins.md does not list UI slots {missing}"
    for name, spec in SLOTS.items():
        documented = re.findall(r"`([a-z_]+)`", slots[name])
        assert documented == list(spec.context), f"slot {name}: guide says {slots[name]!r}"
