"""``manage.py startplugin <name>``: scaffold a pip-installable plugin package (docs/plugins.md)."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from packaging.version import Version

import pipit

SCAFFOLD_DIR = Path(__file__).resolve().parent.parent.parent / "scaffold"
# Template files end in "-tpl" so that neither ruff nor pytest reads them as Python; the "package"
# folder becomes pipit_<name>.
TEMPLATE_SUFFIX = "-tpl"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def plugin_context(name: str) -> dict[str, str]:
    """The values substituted into the scaffold's templates for plugin ``name``."""
    words = [w for w in name.split("_") if w]
    class_stem = "".join(w.capitalize() for w in words)
    release = Version(pipit.__version__).release
    major, minor = release[0], release[1] if len(release) > 1 else 0
    return {
        "name": name,
        "package": f"pipit_{name}",
        "dist_name": "pipit-" + name.replace("_", "-"),
        "class_stem": class_stem,
        "class_name": f"{class_stem}Plugin",
        "title": " ".join(words).capitalize(),
        # Supported: this Pipit minor version; widen it once you have tested a newer one.
        "pipit_requires": f">={major}.{minor},<{major}.{minor + 1}",
    }


def validate_name(name: str) -> None:
    if not NAME_RE.match(name) or "__" in name or name.endswith("_"):
        raise CommandError(
            f"{name!r} is not a valid plugin name: use 2-40 lowercase letters, digits and single "
            "underscores, starting with a letter (e.g. quick_order)."
        )
    if keyword.iskeyword(name):
        raise CommandError(f"{name!r} is a Python keyword; choose another plugin name.")


def scaffold(name: str, dest: Path) -> Path:
    """Write the plugin package ``dest/<name>/``; return its folder."""
    validate_name(name)
    target = dest / name
    if target.exists():
        raise CommandError(f"{target} already exists; choose another name or remove it first.")
    context = plugin_context(name)
    files = sorted(p for p in SCAFFOLD_DIR.rglob(f"*{TEMPLATE_SUFFIX}") if p.is_file())
    for source in files:
        relative = source.relative_to(SCAFFOLD_DIR).with_name(source.name[: -len(TEMPLATE_SUFFIX)])
        parts = [context["package"] if p == "package" else p for p in relative.parts]
        out = target.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(Template(source.read_text()).substitute(context))
    return target


class Command(BaseCommand):
    help = "Create a new plugin package plugins/<name>/ that pip can install (see docs/plugins.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Plugin id and package suffix, e.g. quick_order.")
        parser.add_argument(
            "--dest",
            default=str(Path(settings.PROJECT_DIR) / "plugins"),
            help="Folder to create the package in (default: plugins/ of the Pipit checkout).",
        )

    def handle(self, *args, name: str, dest: str, **options) -> None:
        target = scaffold(name, Path(dest))
        context = plugin_context(name)
        self.stdout.write(
            self.style.SUCCESS(f"Created {context['dist_name']} in {target}.")
            + f"\nNext: pip install -e {target} && python manage.py migrate, then switch it on "
            "in the admin under Commerce → Plugins. Run its tests with `pytest` in that folder."
        )
