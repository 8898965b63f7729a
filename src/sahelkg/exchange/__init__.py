"""Exchange with annotation tools: brat standoff and INCEpTION (UIMA CAS XMI).

An annotator pre-annotates here, corrects in brat or INCEpTION, and brings the result back:

- :func:`export_articles` writes, for each article, its text (the normalised text quotes count in)
  and its annotations in the tool's format, plus the tool's configuration (brat's
  ``annotation.conf`` and ``visual.conf``; INCEpTION's ``TypeSystem.xml``), and says what the format
  cannot hold;
- :func:`import_articles` reads them back into ``corpus/annotations/<id>.yaml``. Every file is read and
  the annotation it gives is validated by the corpus validator before anything is written; then each
  file is written whole and renamed into place. Fields the format cannot hold are kept from the current
  annotation file for the items whose id comes back.

These are annotators' tools: they work on the corpus (``--corpus``, ``$SAHELKG_CORPUS``), not on a store.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahelkg.errors import Problem, UsageError, ValidationError
from sahelkg.settings import Settings

if TYPE_CHECKING:
    from sahelkg.corpus import CorpusReader
    from sahelkg.exchange.standoff import Report

# The CLI imports this module for FORMATS: the corpus reader (jsonschema, about a second) loads on use.

FORMATS = ("brat", "xmi")
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/annotation.schema.json\n"


class ExchangeError(ValidationError):
    """A file to import is malformed, or the annotation it gives does not validate."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "files to import")


@dataclass
class ExchangeResult:
    """What an export or import did: the files, and per article what was not carried over."""

    files: list[Path] = field(default_factory=list)
    reports: dict[str, Report] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report, one line each: what the format could not hold or the import could not map."""
        out = []
        for aid, r in sorted(self.reports.items()):
            out += [f"{aid}: not carried: {x}" for x in r.lost]
            out += [f"{aid}: kept from the current annotation file: {x}" for x in r.kept]
            out += [f"{aid}: {x}" for x in r.created]
        return out


def _reader(settings: Settings) -> tuple[CorpusReader, Any, Any]:
    from sahelkg.corpus import CorpusReader
    from sahelkg.graph.ontology import load_ontology

    ontology = load_ontology(settings.ontology_file)
    reader = CorpusReader(settings.corpus_dir, ontology)
    problems: list[Problem] = []
    registry = reader.read_registry(problems)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, "corpus registry")
    return reader, ontology, registry


def export_articles(settings: Settings, fmt: str, out_dir: Path, article_ids: list[str] | None = None) -> ExchangeResult:
    """Write the articles' texts and annotations for brat (``fmt='brat'``) or INCEpTION (``'xmi'``) into ``out_dir``.

    :raises CorpusError: when an article to export does not validate (its quotes must resolve).
    :raises UsageError: for an unknown article id or format.
    """
    from sahelkg.corpus import fact_index, load_yaml
    from sahelkg.errors import CorpusError
    from sahelkg.exchange import brat, xmi
    from sahelkg.exchange.standoff import to_doc

    if fmt not in FORMATS:
        raise UsageError(f"unknown exchange format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader, ontology, registry = _reader(settings)
    known = reader.article_ids()
    ids = article_ids or known
    for aid in ids:
        if aid not in known:
            raise UsageError(f"no article {aid!r} in {settings.corpus_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ExchangeResult()
    facts = fact_index(reader, known)
    for aid in ids:
        problems: list[Problem] = []
        article = reader.read_article(aid, registry, problems, facts)
        if article is None:
            raise CorpusError(problems)
        raw = load_yaml(reader.annotation_file(aid), problems) or {}
        doc, report = to_doc(article, raw, registry)
        result.reports[aid] = report
        if fmt == "brat":
            files = {f"{aid}.txt": article.text, f"{aid}.ann": brat.write_ann(doc)}
        else:
            xmi_text, _ = xmi.write_xmi(doc, settings.id_base)
            files = {f"{aid}.xmi": xmi_text}
        for name, content in files.items():
            _write(out_dir / name, content)
            result.files.append(out_dir / name)
    conf = ({"annotation.conf": brat.annotation_conf(ontology), "visual.conf": brat.visual_conf(ontology)}
            if fmt == "brat" else {"TypeSystem.xml": xmi.type_system().to_xml()})
    for name, content in conf.items():
        _write(out_dir / name, content)
        result.files.append(out_dir / name)
    return result


def _write(path: Path, content: str) -> None:
    """Write ``content`` whole to a temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _FlowList(list):  # type: ignore[type-arg]
    """A list written inline: ``[a, b]``."""


class _FlowDict(dict):  # type: ignore[type-arg]
    """A mapping written inline: ``{entity: x, quote: "..."}``."""


class _Folded(str):
    """Prose (a note, a derivation): folded over lines when long (``>-``)."""


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _styled(value: Any, key: str = "") -> Any:
    """``value`` marked for the corpus's written style: mentions, counts, quote objects and lists of
    names inline; everything else in blocks."""
    if isinstance(value, dict):
        inner = {k: _styled(v, k) for k, v in value.items()}
        return _FlowDict(inner) if key in ("count", "quote", "trigger", "published_quote", "mention") else inner
    if isinstance(value, list):
        items = [_styled(v, "mention" if key == "mentions" else "") for v in value]
        return _FlowList(items) if all(not isinstance(v, (dict, list)) for v in value) else items
    if isinstance(value, str) and key in ("note", "derivation", "description"):
        return _Folded(value)
    return value


def _dumper() -> type:
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, False)  # "  - id: e1" under its key, as the corpus writes it

        def write_double_quoted(self, text: str, split: bool = True) -> None:
            super().write_double_quoted(text, split=False)  # a quote stays on one line, as it is searched

    resolver = yaml.resolver.Resolver()

    def text(dumper: Any, value: str) -> Any:
        # ids and class names plain, as the README writes them; other text (and "2021-09-24") double-quoted
        plain = _PLAIN.fullmatch(value) and resolver.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')

    def folded(dumper: Any, value: str) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=">" if len(value) > 90 else '"')

    Dumper.add_representer(str, text)
    Dumper.add_representer(_Folded, folded)
    Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
    Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
    return Dumper


def dump_annotation(data: dict[str, Any], header: str = SCHEMA_LINE) -> str:
    """The YAML text of an annotation file in the corpus's style (keys in the README's order, mentions and
    short lists inline, text double-quoted), after ``header`` (the comment lines that open the current
    file, else the schema line)."""
    import yaml

    body = yaml.dump(_styled(data), Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=110)
    return header + re.sub(r"\n(?=(entities|mentions|events|relations|claims|observations):)", "\n\n", body)


def leading_comments(text: str) -> str:
    """The comment lines that open a YAML file (its header: schema line, description), or ''.

    >>> leading_comments("# a\\n# b\\narticle:\\n  id: x  # not this\\n")
    '# a\\n# b\\n'
    """
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line if line.endswith("\n") else line + "\n")
    return "".join(lines)


def _inputs(fmt: str, path: Path) -> list[Path]:
    suffix = ".ann" if fmt == "brat" else ".xmi"
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix == suffix and not p.name.startswith("."))
        if not found:
            raise UsageError(f"{path}: no *{suffix} file to import")
        return found
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    if path.suffix != suffix:
        raise UsageError(f"{path}: a {fmt} import reads *{suffix} files (or a directory of them)")
    return [path]


def import_articles(settings: Settings, fmt: str, path: Path, *, language: str | None = None) -> ExchangeResult:
    """Read brat ``.ann`` (with their ``.txt``) or INCEpTION ``.xmi`` files back into the corpus's annotation files.

    The article id is the file's stem; its text must be the corpus's (``corpus/articles/<id>.txt``),
    since the offsets count in it. Nothing is written unless every file reads and every produced
    annotation validates.

    :param language: the article's language when it has no annotation file yet and the format does not say.
    :raises ExchangeError: every problem of every file, as ``file:line`` or ``file: element ...``.
    """
    from sahelkg.corpus import load_yaml, normalise_text
    from sahelkg.exchange import brat, xmi
    from sahelkg.exchange.standoff import from_doc

    if fmt not in FORMATS:
        raise UsageError(f"unknown exchange format {fmt!r}; use one of {', '.join(FORMATS)}")
    inputs = _inputs(fmt, Path(path))
    reader, ontology, registry = _reader(settings)
    problems: list[Problem] = []
    produced: dict[str, str] = {}
    result = ExchangeResult()
    for file in inputs:
        aid = file.stem
        text_path = reader.articles_dir / f"{aid}.txt"
        if not text_path.exists():
            problems.append(Problem(str(file), None, f"no article {aid} in the corpus ({text_path}); add its text there first"))
            continue
        text = offset_text(text_path.read_text(encoding="utf-8"))
        try:
            if fmt == "brat":
                txt = file.with_suffix(".txt")
                if txt.exists() and normalise_text(txt.read_text(encoding="utf-8")) != text:  # as exported: the body
                    problems.append(Problem(str(txt), None, f"differs from the corpus's text {text_path}: the offsets "
                                                           "of the .ann would not point at the same words"))
                    continue
                doc = brat.parse_ann(file.read_text(encoding="utf-8"), text, str(file))
            else:
                ts_path = file.parent / "TypeSystem.xml"
                doc = xmi.parse_xmi(file.read_bytes(), ts_path.read_bytes() if ts_path.exists() else None, str(file),
                                    settings.id_base)
                if doc.text != text:
                    problems.append(Problem(str(file), None, f"its document text differs from the corpus's {text_path}: "
                                                             "the offsets would not point at the same words"))
                    continue
        except ExchangeError as e:
            problems.extend(e.problems)
            continue
        if language and not doc.language:
            doc.language = language
        ann_path = reader.annotation_file(aid)
        base = _plain(load_yaml(ann_path, problems)) if ann_path.exists() else None
        data, errors, report = from_doc(doc, aid, registry, ontology, base if isinstance(base, dict) else None)
        for err in errors:
            problems.append(Problem(str(file), _line(err.where), f"{err.where + ': ' if err.where and not _line(err.where) else ''}{err.message}"))
        if data is not None:
            # The file's opening comments stay; comments between items do not survive a rewrite (notes do).
            header = leading_comments(ann_path.read_text(encoding="utf-8")) if ann_path.exists() else ""
            produced[aid] = dump_annotation(data, header or SCHEMA_LINE)
            result.reports[aid] = report
    if problems:
        raise ExchangeError(problems)
    _validate_and_write(reader, registry, produced, inputs, result)
    return result


def offset_text(raw: str) -> str:
    """The text an article's offsets count in, from its file's content: normalised, and without the
    ``# key: value`` header lines when the corpus reader has them (``corpus.split_header``, the one
    function that splits them), so that the offsets of an import are the corpus's."""
    import sahelkg.corpus as corpus

    text = corpus.normalise_text(raw)
    split = getattr(corpus, "split_header", None)
    return split(text)[1] if split is not None else text


def _plain(data: Any) -> Any:
    """Loaded YAML as plain dicts and lists (the loader's line-keeping types do not dump)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _line(where: str) -> int | None:
    return int(where.split()[1]) if where.startswith("line ") else None


def _validate_and_write(reader: CorpusReader, registry: Any, produced: dict[str, str], inputs: list[Path],
                        result: ExchangeResult) -> None:
    """Validate every produced annotation file with the corpus validator, then rename them all into place."""
    from sahelkg.corpus import CorpusReader, fact_index

    reader.annotations_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=reader.annotations_dir, prefix=".import-"))
    try:
        check = CorpusReader(reader.corpus_dir, reader.ontology)
        check.annotations_dir = staging
        for aid, content in produced.items():
            check.annotation_file(aid).write_text(content, encoding="utf-8")
        facts = fact_index(reader, reader.article_ids())
        facts.update(fact_index(check, produced))
        problems: list[Problem] = []
        by_id = {p.stem: p for p in inputs}
        for aid in produced:
            found: list[Problem] = []
            check.read_article(aid, registry, found, facts)
            for p in found:
                if p.severity == "error":
                    problems.append(Problem(str(by_id[aid]), None, f"the annotation it gives does not validate: "
                                                                   f"{aid}.yaml:{p.line or ''}: {p.message}"))
        if problems:
            raise ExchangeError(problems)
        for aid in produced:
            os.replace(check.annotation_file(aid), reader.annotation_file(aid))
            result.files.append(reader.annotations_dir / f"{aid}.yaml")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


__all__ = ["export_articles", "import_articles", "ExchangeError", "ExchangeResult", "FORMATS", "dump_annotation"]
