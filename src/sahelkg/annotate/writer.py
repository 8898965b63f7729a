"""Write a draft as an annotation file in the corpus format, every quote made unambiguous.

A quote is the exact text at its offsets; when that text occurs more than once (in the whole
body, or inside the event's quote for a trigger) the writer adds ``occurrence: N``, counted the
way :class:`sahelkg.corpus.Quotes` counts, so the file always anchors where the draft meant.
"""

from __future__ import annotations

from typing import Any

import yaml


def occurrences(text: str, exact: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """Start offsets of ``exact`` in ``text`` (overlapping ones included), within ``[lo, hi)``."""
    hi = len(text) if hi is None else hi
    out, i = [], text.find(exact)
    while i >= 0:
        if lo <= i and i + len(exact) <= hi:
            out.append(i)
        i = text.find(exact, i + 1)
    return out


def quote(text: str, start: int, end: int, within: tuple[int, int] | None = None) -> str | dict[str, Any]:
    """The quote of ``text[start:end]``: a string when unique, else ``{text, occurrence}``."""
    exact = text[start:end]
    lo, hi = within if within else (0, len(text))
    starts = occurrences(text, exact, lo, hi)
    if len(starts) <= 1:
        return exact
    return {"text": exact, "occurrence": starts.index(start) + 1}


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for short leaf mappings and lists of ids."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, (str, int, float)) for x in data) and sum(len(str(x)) for x in data) < 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    leaf = all(isinstance(v, (str, int, float, bool)) for v in data.values())
    flow = leaf and len(data) <= 4 and sum(len(str(k)) + len(str(v)) for k, v in data.items()) < 90
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump(doc: dict[str, Any], header: str) -> str:
    """The YAML text of ``doc`` after a comment ``header`` (each line prefixed with '# ')."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "# yaml-language-server: $schema=../schema/annotation.schema.json\n" + comment + "\n" + body
