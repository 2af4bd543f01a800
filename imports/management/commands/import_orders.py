"""``manage.py import_orders FILE… [--format] [--dry-run] [--on-error] [--batch-size]
[--report]``: import historical orders (see docs/importing.md)."""

import csv
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.loading import DEFAULT_BATCH_SIZE, ImportResult, import_files
from imports.parsing import FORMATS, MalformedFile, detect_format

# How many problems are printed; the --report file holds all of them.
SHOWN_PROBLEMS = 20
PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when not on a terminal


class ProgressPrinter:
    """A one-line bar on a terminal (rows/s, ETA), periodic plain lines elsewhere."""

    def __init__(self, stream: Any, total_characters: int) -> None:
        self.stream = stream
        self.total = max(total_characters, 1)
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = self.last = time.monotonic()

    def __call__(self, rows: int, characters: int) -> None:
        now = time.monotonic()
        if not self.tty and now - self.last < PLAIN_PROGRESS_EVERY:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        done = min(characters / self.total, 1.0)
        eta = elapsed / done - elapsed if done else 0.0
        line = f"{rows:,} orders read, {rows / elapsed:,.0f}/s, {done:.0%}, ETA {eta:,.0f} s"
        if self.tty:
            bar = "#" * int(done * 30)
            self.stream.write(f"\r[{bar:<30}] {line}   ")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import orders from JSON, JSON Lines or CSV files (upsert by source_id)."
    # Like ``migrate``: the system checks import every URLconf (the admin, the v1 API and its
    # schemas) to check them, a fixed cost on every run (docs/benchmarks.md), and nothing they
    # check is used by an import. ``manage.py check`` (and runserver, the tests) still run them.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", choices=FORMATS, help="default: from the extension")
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")
        parser.add_argument("--on-error", choices=("abort", "skip"), default="abort")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--report", type=Path, help="write every problem to this CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        files = []
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                files.append((path, detect_format(path, options["format"])))
            except MalformedFile as error:
                raise CommandError(str(error)) from error
        progress = ProgressPrinter(sys.stderr, sum(path.stat().st_size for path, _ in files))
        try:
            result = import_files(
                files,
                dry_run=options["dry_run"],
                on_error=options["on_error"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except MalformedFile as error:
            raise CommandError(str(error)) from error
        finally:
            progress.finish()
        if options["report"]:
            self._write_report(options["report"], result)
        self._summarize(result, options)

    def _write_report(self, path: Path, result: ImportResult) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "line", "source_id", "reason"])
            for problem in result.problems:
                writer.writerow([problem.file, problem.line, problem.source_id, problem.reason])

    def _summarize(self, result: ImportResult, options: dict[str, Any]) -> None:
        for problem in result.problems[:SHOWN_PROBLEMS]:
            where = f"{problem.file}, line {problem.line}"
            who = f" ({problem.source_id})" if problem.source_id else ""
            self.stderr.write(f"{where}{who}: {problem.reason}")
        if len(result.problems) > SHOWN_PROBLEMS:
            more = len(result.problems) - SHOWN_PROBLEMS
            self.stderr.write(f"… and {more} more problem(s); --report writes them all")
        aborted = bool(result.problems) and options["on_error"] == "abort"
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        if aborted:
            prefix = "aborted, nothing written: "
        self.stdout.write(
            f"{prefix}created: {result.created}, updated: {result.updated}, "
            f"unchanged: {result.unchanged}, failed: {result.failed}, "
            f"time: {result.seconds:.1f} s"
        )
        if aborted:
            raise CommandError(f"{result.failed} invalid order(s); fix them or use --on-error skip")
