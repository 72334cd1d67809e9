"""The ``kb`` command line, written out command by command: validate, build, serve, check,
export, add-ref, add-article, retractions import, report.

Errors reach the user through ``click.ClickException`` (exit 1) and ``click.UsageError``
(exit 2), one clear line each; validation problems are listed first, one per line."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

# The stages are imported where used: `kb check --db` starts in a fraction of the time
# without the build and the source parsers (sqlite-utils, bibtexparser, YAML).
DEFAULT_DB = "sciatica.db"
CLAIMS_DIR = "claims"  # kb.sources.CLAIMS_DIR too; repeated so finding the root imports no parser


def find_root(start: Path | None = None) -> Path:
    """The knowledge-base checkout: the nearest folder above ``start`` holding claims/."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CLAIMS_DIR).is_dir():
            return folder
    package_checkout = Path(__file__).resolve().parent.parent
    if (package_checkout / CLAIMS_DIR).is_dir():
        return package_checkout
    raise click.UsageError(f"no {CLAIMS_DIR}/ folder here or above; pass --root")


root_option = click.option(
    "--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Knowledge-base folder (holding claims/ and references.bib). Default: found from cwd.")
db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=f"SQLite database path. Default: ROOT/{DEFAULT_DB}.")


class ProblemsFound(click.ClickException):
    """Validation problems: each printed as ``file:line: message`` (those of files that could
    not be parsed first, then how many problems that follow from them are not shown), then how
    many."""

    def __init__(self, problems, after: str = "", suppressed=None):
        self.problems, self.suppressed = problems, suppressed
        super().__init__(f"{len(problems)} problem(s) found{after}")

    def show(self, file=None) -> None:
        from .sources import problem_lines

        for line in problem_lines(self.problems, self.suppressed):
            click.echo(line, err=True)
        click.secho(self.format_message(), fg="red", err=True)


# SQLite's errors that mean the file cannot be written (by name, or by message when raised
# without one); any other sqlite3 error during a build is a bug, and keeps its traceback.
_SQLITE_WRITE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN",
                        "SQLITE_PERM")
_SQLITE_WRITE_MESSAGES = ("database or disk is full", "disk I/O error",
                          "attempt to write a readonly database", "unable to open database file")


def _write_failure(exc: Exception, db_path: Path) -> str | None:
    """Why ``db_path`` could not be written, in words, if ``exc`` says so; else None."""
    import sqlite3

    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        if exc.errno in (errno.EACCES, errno.EPERM):
            why += f" (no permission to write in {Path(db_path).parent})"
        return why
    if isinstance(exc, sqlite3.Error) and (
            getattr(exc, "sqlite_errorname", "").startswith(_SQLITE_WRITE_ERRORS)
            or str(exc) in _SQLITE_WRITE_MESSAGES):
        return str(exc)
    return None


@click.group()
@click.version_option(package_name="kb")
def cli():
    """Evidence and citation knowledge base for health content."""


@cli.command()
@root_option
def validate(root):
    """Check every source file; print problems as file:line: message."""
    root = root or find_root()
    from .sources import SourceReader

    reader = SourceReader(root)
    for stage in (reader.refs, reader.notices, reader.claims, reader.articles):
        for _ in stage():  # one file or chunk at a time: memory stays bounded
            pass
    problems = reader.finish()
    if problems:
        raise ProblemsFound(problems, suppressed=reader.suppressed)
    n = reader.counts
    click.echo(f"OK: {n['articles']} articles, {n['claims']} claims, {n['appearances']} appearances, "
               f"{n['references']} references, {n['topics']} topics")


def _build(root: Path, db_path: Path, quiet: bool = False, full: bool = False,
           timings: bool = False) -> None:
    from .build import build
    from .sources import ValidationFailed

    left = f"build failed, {db_path} was left as it was"
    try:
        built = build(root, db_path, full=full)
        counts = built.counts
    except ValidationFailed as exc:
        raise ProblemsFound(exc.problems, f"; {left}", exc.suppressed) from None
    except Exception as exc:  # noqa: BLE001 - only write failures become a message
        why = _write_failure(exc, db_path)
        if why is None:
            raise
        raise click.ClickException(f"cannot write {db_path}: {why}; {left}") from None
    click.echo(f"built {db_path}: {counts['claims']} claims, {counts['references']} references, "
               f"{counts['articles']} articles; {built.how}", err=quiet)
    if timings:
        for stage, seconds in sorted(built.timings.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {seconds:8.2f} s  {stage}", err=True)


@cli.command("build")
@root_option
@db_option
@click.option("--full", is_flag=True, help="Read every source again, even if only some changed.")
@click.option("--timings", is_flag=True, help="Print a full build's seconds by stage (to stderr).")
def build_command(root, db_path, full, timings):
    """Validate, then write the SQLite database atomically: updated from the claims and article
    files that changed since the last build, or in full (a first build, a change to the
    references, topics or retractions, a new kb version, or --full)."""
    root = root or find_root()
    _build(root, db_path or root / DEFAULT_DB, full=full, timings=timings)


@cli.command()
@root_option
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(root, db_path, host, port):
    """Build if the database is missing or stale, then serve it with Datasette."""
    root = root or find_root()
    db_path = db_path or root / DEFAULT_DB
    from .build import is_stale

    if is_stale(root, db_path):
        _build(root, db_path)
    from .site.settings import datasette_args

    args = datasette_args(db_path, host, port)
    click.echo(f"serving {db_path} at http://{host}:{port}/")
    sys.stdout.flush()
    # Become Datasette rather than start it as a child: a SIGTERM or Ctrl-C to `kb serve`
    # then stops the server itself, and nothing is left holding the port.
    os.execv(sys.executable, [sys.executable, "-m", "datasette", *args])


STYLE_ALIASES = {"vancouver": "american-medical-association", "ama": "american-medical-association"}


def _style(name: str) -> str:
    """A --style value: an alias resolved, then checked (a clear error listing close names)."""
    from .cite_format import UnknownStyle, check_style

    try:
        return check_style(STYLE_ALIASES.get(name.lower(), name))
    except UnknownStyle as exc:
        raise click.BadParameter(str(exc), param_hint="--style") from None


def _parse_fail_on(value: str) -> tuple[str, ...]:
    from .vocab import CHECK_FLAG_ALIASES, CHECK_FLAGS

    if value.strip().lower() == "none":
        return ()
    codes = tuple(CHECK_FLAG_ALIASES.get(c.strip(), c.strip()) for c in value.split(",") if c.strip())
    unknown = [c for c in codes if c not in CHECK_FLAGS]
    if unknown:
        raise click.BadParameter(f"unknown flag(s) {', '.join(unknown)}; choose from "
                                 f"{', '.join(CHECK_FLAGS)} or 'none'", param_hint="--fail-on")
    return codes


@cli.command()
@click.argument("draft", type=click.File("rb"))
@root_option
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Report format.")
@click.option("--fail-on", default=None, metavar="FLAGS",
              help="Comma-separated flags that make the exit status 1, or 'none'. Default: "
                   "contradicted,overstated,unsupported,figure-differs,citation-unresolved,"
                   "citation-mismatch,citation-not-supporting,citation-withdrawn.")
@click.option("--style", default="apa", show_default=True, callback=lambda c, p, v: _style(v),
              help="CSL style for formatted references (e.g. apa, vancouver, american-medical-association).")
@click.option("--details", "--all", "show_all", is_flag=True,
              help="After the sentences that need attention, every checked sentence in full.")
def check(draft, root, db_path, fmt, fail_on, style, show_all):
    """Fact-check a draft (a file, or - for stdin) against the knowledge base.

    Exit status: 0 when nothing fails the check, 1 when a flag in --fail-on is raised,
    2 on usage errors (unreadable, empty or binary input).
    """
    from rich.console import Console

    from .check import DEFAULT_FAIL_ON, Checker
    from .check.draft import DraftError, decode_draft
    from .check.render import to_json, to_markdown, to_terminal

    codes = DEFAULT_FAIL_ON if fail_on is None else _parse_fail_on(fail_on)
    name = getattr(draft, "name", "-")
    try:
        text, notes = decode_draft(draft.read())
    except DraftError as exc:
        raise click.UsageError(f"{name}: {exc}") from None
    conn = _open_db(root, db_path, allow_stale=True)
    try:
        report = Checker(conn, style=style).check(text, fail_on=codes)
    finally:
        conn.close()
    report["source"] = name
    report["notes"] = notes
    if fmt == "json":
        click.echo(to_json(report))
    elif fmt == "markdown":
        click.echo(to_markdown(report, text))
    else:
        console = Console(highlight=False)
        for note in notes:
            console.print(f"[dim]note: {note}[/]")
        to_terminal(report, console, show_all=show_all)
    sys.exit(1 if report["summary"]["needs_attention"] else 0)


@cli.command("check-drafts")
@click.argument("drafts", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@root_option
@db_option
@click.option("--fail-on", default=None, metavar="FLAGS",
              help="Comma-separated flags that fail the check, or 'none' (default: as kb check).")
def check_drafts(drafts, root, db_path, fail_on):
    """Fact-check several drafts (for a pre-commit hook or CI): one line per sentence that needs
    attention, `file:line: flags: sentence - fix`; exit status 1 if any has a --fail-on flag."""
    from .check import DEFAULT_FAIL_ON, Checker
    from .check.draft import DraftError, decode_draft

    codes = DEFAULT_FAIL_ON if fail_on is None else _parse_fail_on(fail_on)
    conn = _open_db(root, db_path, allow_stale=True)
    failing = 0
    try:
        checker = Checker(conn)
        for path in drafts:
            try:
                text, _ = decode_draft(path.read_bytes())
            except DraftError as exc:
                click.echo(f"{path}: {exc}")
                continue
            report = checker.check(text, fail_on=codes)
            starts = {s["index"]: s["start"] for s in report["sentences"]}
            for item in report["attention"]:
                line = text.count("\n", 0, starts.get(item["index"], 0)) + 1
                sentence = " ".join(item["text"].split())
                sentence = sentence if len(sentence) <= 100 else sentence[:99] + "\u2026"
                click.echo(f"{path}:{line}: {', '.join(item['problems'])}: {sentence} - {item['fix']}")
            failing += report["summary"]["needs_attention"]
    finally:
        conn.close()
    if drafts:
        click.echo(f"{len(drafts)} draft(s) checked; {failing} fail the check"
                   + (f" ({', '.join(codes)})" if failing else ""))
    sys.exit(1 if failing else 0)


@cli.group()
def export():
    """Export the knowledge base in other formats."""


def _open_db(root, db_path, allow_stale: bool = False):
    """A read-only connection to the database, (re)built first if it is missing or stale.
    With ``allow_stale``, an existing database is used when the sources do not build (a
    curator midway through recording an article still gets suggestions)."""
    import sqlite3

    if db_path is None:
        root = root or find_root()
        db_path = root / DEFAULT_DB
        from .build import is_stale
        from .sources import load_project

        if is_stale(root, db_path):
            if allow_stale and db_path.exists() and not load_project(root).ok:
                click.echo("note: the sources have problems (kb validate lists them); using the "
                           "last built database", err=True)
            else:
                click.echo("the database is missing or stale; building it first", err=True)
                _build(root, db_path, quiet=True)
    elif not Path(db_path).exists():
        raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def _write(text: str, output) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)


output_option = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                             help="Write to this file instead of standard output.")


@export.command("bib")
@root_option
@db_option
@output_option
def export_bib_command(root, db_path, output):
    """References as BibTeX (string macros expanded; LaTeX and every field kept)."""
    from .export import export_bib

    conn = _open_db(root, db_path)
    try:
        _write(export_bib(conn), output)
    finally:
        conn.close()


def _export_command(name, function, help_text, **extra):
    @export.command(name, help=help_text)
    @root_option
    @db_option
    @output_option
    def command(root, db_path, output, **kwargs):
        from .export import NotExportable

        conn = _open_db(root, db_path)
        try:
            _write(function(conn, **kwargs), output)
        except KeyError as exc:
            raise click.BadParameter(f"no claim {exc.args[0]!r}", param_hint="--claim")
        except NotExportable as exc:  # the export would not be usable (e.g. relative URLs)
            raise click.UsageError(str(exc))
        finally:
            conn.close()

    for decorator in extra.values():
        command = decorator(command)
    return command


def _configured_base_url():
    from .site.settings import public_base_url

    return public_base_url()


def _lazy(name):
    def call(conn, **kwargs):
        from . import export as module
        return getattr(module, name)(conn, **kwargs)
    return call


_export_command("claimreview", _lazy("export_claimreview"),
                "schema.org ClaimReview JSON-LD for all claims (or one with --claim).",
                claim=click.option("--claim", "claim_id", default=None, help="Only this claim id."),
                base=click.option("--base-url", "base_url", default=None,
                                  callback=lambda ctx, param, v: v or _configured_base_url(),
                                  help="The site's public address for the review URLs, e.g. "
                                       "https://kb.example.org (default: plugins.kb.base_url in "
                                       "kb/site/metadata.yaml)"))
_export_command("csl-json", _lazy("export_csl_json"), "References as CSL-JSON (Zotero, pandoc).")
_export_command("ris", _lazy("export_ris"), "References as RIS (Zotero, EndNote, Mendeley).")
_export_command("claims-csv", _lazy("export_claims_csv"), "Claims as CSV for spreadsheets.")
_export_command("bibliography", _lazy("export_bibliography"),
                "A formatted bibliography (citeproc-py): --style apa (default), vancouver, or any CSL name.",
                style=click.option("--style", default="apa", show_default=True,
                                   callback=lambda ctx, param, v: _style(v)))


@cli.command("add-ref")
@click.argument("bibtex", type=click.File("rb"))
@root_option
def add_ref(bibtex, root):
    """Append BibTeX entries (a file, or - for stdin) to references.bib.

    Keys are normalised to surnameYEARword, DOIs to their bare form; an entry whose key or DOI
    is already present is refused. New entries are marked unverified until checked.
    """
    from .curate import CurateError, add_references

    root = root or find_root()
    try:
        keys = add_references(root, bibtex.read(), getattr(bibtex, "name", "-"))
    except CurateError as exc:
        raise click.ClickException(str(exc)) from None
    for key in keys:
        click.echo(f"added {key} to references.bib (unverified until you check it)")
    click.echo("next: verify each entry on a stored public page, add design and verified-url, "
               "then run kb validate")


@cli.command("add-article")
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "article_id", required=True, help="Article id (lowercase, hyphens).")
@click.option("--title", default=None)
@click.option("--url", default=None, help="The article's address, if known (default: unknown).")
@click.option("--publisher", default=None)
@click.option("--author", default=None)
@click.option("--published", default=None, help="Publication date shown in the text (YYYY-MM-DD).")
@click.option("--capture", type=click.Choice(["full", "excerpt"]), default="full", show_default=True,
              help="excerpt: the stored copy is only the opening of the page.")
@root_option
def add_article_command(text_file, article_id, title, url, publisher, author, published, capture, root):
    """Copy an article's text into claims/ and write a skeleton record proposing its claims."""
    from .curate import CurateError, add_article

    root = root or find_root()
    for suffix in (".txt", ".yaml"):
        if (root / "claims" / "articles" / f"{article_id}{suffix}").exists():
            raise click.ClickException(f"claims/articles/{article_id}{suffix} already exists")
    conn = _open_db(root, None, allow_stale=True)
    try:
        path, n = add_article(root, conn, text_file, article_id, title, url, publisher, author,
                              published, capture)
    except CurateError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        conn.close()
    click.echo(f"wrote {path.relative_to(root)} with {n} proposed appearances; "
               "complete it, then run kb validate")


@cli.group()
def retractions():
    """Retraction Watch notices about the references (claims/retractions.yaml)."""


@retractions.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@root_option
def retractions_import(csv_file, root):
    """Match a Retraction Watch CSV (Crossref's download) to references.bib by DOI, then PMID,
    and write the notices found to claims/retractions.yaml (sorted; a re-import with the same
    file changes nothing). Review its diff, run kb validate, commit."""
    from .sources import BIB_FILE
    from .sources.bibtex import parse_bibtex
    from .sources.retractions import RETRACTIONS_FILE, RetractionsError, import_notices

    root = root or find_root()
    target = root / RETRACTIONS_FILE
    try:
        refs, _ = parse_bibtex((root / BIB_FILE).read_bytes(), BIB_FILE)
        current = target.read_bytes() if target.exists() else None
        text, summary = import_notices(csv_file.read_bytes(), refs, current)
        if current != text.encode("utf-8") and (current is not None or summary.notices):
            target.write_text(text, encoding="utf-8")
    except RetractionsError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot read or write {exc.filename}: {exc.strerror or exc}") from None
    click.echo(summary.line())


@cli.command()
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(root, as_json):
    """Coverage: per article, quotes recorded, claims by verdict, citations by accuracy."""
    import json

    from .sources import load_project
    from .sources.coverage import coverage, format_report

    root = root or find_root()
    project = load_project(root)
    if project.problems:
        raise ProblemsFound(project.problems, suppressed=project.suppressed)
    data = coverage(project)
    click.echo(json.dumps(data, indent=2, sort_keys=True) if as_json else format_report(data))


if __name__ == "__main__":  # pragma: no cover
    cli()
