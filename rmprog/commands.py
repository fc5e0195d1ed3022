"""What the project's management commands share."""

import sys
from collections.abc import Callable
from typing import TextIO

from django.core.management.base import CommandError


def write_output(output: str, write: Callable[[TextIO], None]) -> bool:
    """Call `write` with the file named `output`, or with standard output for "-".

    Returns True when a file was written (the caller may then say so on standard output).
    """
    if output == "-":
        write(sys.stdout)
        return False
    try:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            write(stream)
    except OSError as error:
        raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
    return True
