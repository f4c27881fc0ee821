#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # The core package lives in platform/ (a folder, not a package: it must not shadow stdlib).
    sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipit.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
