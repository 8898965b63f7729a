"""Quote anchoring: the text offsets count in, and quotes located in it.

Every fact of an annotation file points at the article by quoting it; :class:`Quotes` finds the
quote in the normalised body of the article (:func:`normalise_text`, :func:`split_header`),
chooses among repeated occurrences by ``occurrence``, ``prefix`` or ``suffix``, and returns an
:class:`~sahelkg.corpus.records.Anchor` (offsets and the context a TextQuoteSelector stores), or
reports why it cannot, with the nearest passage of the text.

>>> normalise_text("cafe\\u0301\\r\\nx")
'café\\nx'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sahelkg.corpus.records import Anchor
from sahelkg.corpus.yaml_lines import FileProblems

CONTEXT_CHARS = 32  # prefix/suffix length stored in the TextQuoteSelector


def normalise_text(text: str) -> str:
    """The text offsets count in: Unicode NFC with ``\\n`` line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


_HEADER_LINE = re.compile(r"# ([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*)")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """``(header, body)`` of a normalised article text: its leading ``# key: value`` lines are metadata.

    The header is the run of ``# key: value`` lines at the very start, ending at the first line
    of another form; one blank line right after it belongs to it. Keys are lowercased; a key given
    twice keeps its first value. Quotes and offsets count in the body only (check, build and
    annotate all read articles through this function). A text without such lines is all body.

    >>> split_header("# source: https://x.org/a\\n# Date: 2021-09-24\\n\\nParis (AFP) - ...")
    ({'source': 'https://x.org/a', 'date': '2021-09-24'}, 'Paris (AFP) - ...')
    >>> split_header("# not a header line\\ntext")
    ({}, '# not a header line\\ntext')
    """
    header: dict[str, str] = {}
    pos = 1 if text.startswith("\ufeff#") else 0  # a byte-order mark before the header is part of it
    while True:
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        m = _HEADER_LINE.fullmatch(line)
        if not m:
            break
        header.setdefault(m.group(1).lower(), m.group(2).strip())
        pos = len(text) if nl < 0 else nl + 1
    if header and text.startswith("\n", pos):
        pos += 1
    return header, text[pos:]


class Quotes:
    """Finds quotes in one normalised text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _positions(self, s: str) -> list[int]:
        out, i = [], self.text.find(s)
        while i >= 0 and s:
            out.append(i)
            i = self.text.find(s, i + 1)
        return out

    def anchor(self, spec: Any, ctx: FileProblems, path: list[Any], what: str, within: Anchor | None = None) -> Anchor | None:
        """Locate ``spec`` (a string, or {text, prefix, suffix, occurrence}); report problems."""
        if isinstance(spec, dict):
            exact = spec.get("text")
            prefix, suffix, occurrence = spec.get("prefix"), spec.get("suffix"), spec.get("occurrence")
        else:
            exact, prefix, suffix, occurrence = spec, None, None, None
        if not isinstance(exact, str) or not exact:
            ctx.error(path, f"{what}: the quote must be a non-empty string")
            return None
        exact = normalise_text(exact)
        starts = self._positions(exact)
        if within is not None:
            starts = [s for s in starts if within.start <= s and s + len(exact) <= within.end]
        shown = exact if len(exact) <= 80 else exact[:77] + "..."
        where = " inside its quote" if within is not None else " in the article text"
        found = f'{what}: quote "{shown}" occurs {len(starts)} time(s){where}'
        for part, given, before in (("prefix", prefix, True), ("suffix", suffix, False)):
            if starts and given:
                ctx_text = normalise_text(given)
                kept = [s for s in starts if self._beside(s, len(exact), len(ctx_text), before) == ctx_text]
                if not kept:
                    ctx.error(path, f'{found}, but never {"after" if before else "before"} the {part} '
                                    f'"{ctx_text}"{self._nearest_context(starts, len(exact), ctx_text, before)}; '
                                    f"fix the {part}, or drop it and give occurrence: N")
                    return None
                starts = kept
        if not starts:
            if within is not None and self._positions(exact):
                hint = "; it occurs in the text, but outside the quote it must be part of"
            else:
                hint = self._hint(exact)
            ctx.error(path, f'{what}: quote "{shown}" not found{where}{hint}')
            return None
        if occurrence is not None:
            if not isinstance(occurrence, int) or not 1 <= occurrence <= len(starts):
                ctx.error(path, f'{what}: quote "{shown}" has {len(starts)} occurrence(s); occurrence {occurrence} does not exist')
                return None
            start = starts[occurrence - 1]
        elif len(starts) > 1:
            ctx.error(
                path,
                f'{what}: quote "{shown}" is ambiguous: it occurs {len(starts)} times{where}; '
                f"add occurrence: N, or a prefix or suffix",
            )
            return None
        else:
            start = starts[0]
        end = start + len(exact)
        return Anchor(
            exact=exact, start=start, end=end,
            prefix=self.text[max(0, start - CONTEXT_CHARS):start], suffix=self.text[end:end + CONTEXT_CHARS],
        )

    def _beside(self, start: int, length: int, n: int, before: bool) -> str:
        """The ``n`` characters before (or after) the quote at ``start``."""
        return self.text[max(0, start - n):start] if before else self.text[start + length:start + length + n]

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _nearest_context(self, starts: list[int], length: int, given: str, before: bool) -> str:
        """Where the text beside an occurrence is most like the prefix (or suffix) that failed."""
        from rapidfuzz import fuzz

        best = max(range(len(starts)), key=lambda i: fuzz.ratio(given, self._beside(starts[i], length, len(given), before)))
        seen = self._beside(starts[best], length, len(given), before)
        return (f' (the nearest: "{seen}" {"before" if before else "after"} occurrence {best + 1}, '
                f"line {self._line(starts[best])})")

    def _hint(self, exact: str) -> str:
        """Why a quote is not in the text, and the passage of the text nearest to it."""
        from rapidfuzz import fuzz

        def fold(s: str) -> str:
            s = re.sub(r"[\u2018\u2019\u02bc`]", "'", s)
            s = re.sub(r"[\u201c\u201d\u00ab\u00bb]", '"', s)
            return re.sub(r"\s+", " ", s).lower()
        near = fuzz.partial_ratio_alignment(exact, self.text, score_cutoff=60)
        nearest = ""
        if near is not None:
            # the aligned window is as long as the quote: stretch it to the length most like the quote,
            # then to whole words ("killed" found as "neutralized" is longer)
            spans = [(b, e) for b in range(max(0, near.dest_start - 8), near.dest_start + 9)
                     for e in range(near.dest_end - 10, min(len(self.text), near.dest_end + 25) + 1) if e > b]
            begin, end = max(spans, key=lambda span: fuzz.ratio(exact, self.text[span[0]:span[1]].strip()))
            while begin < end and self.text[begin].isspace():
                begin += 1
            while end > begin and self.text[end - 1].isspace():
                end -= 1
            while begin > 0 and self.text[begin - 1].isalnum() and self.text[begin].isalnum():
                begin -= 1
            while end < len(self.text) and self.text[end - 1].isalnum() and self.text[end].isalnum():
                end += 1
            passage = self.text[begin:end]
            passage = passage if len(passage) <= 80 else passage[:77] + "..."
            nearest = f'; the nearest text is "{passage}" (line {self._line(near.dest_start)})'
        if fold(exact) in fold(self.text):
            return f" (a near match exists: copy quotes, apostrophes, spaces and case exactly as in the text){nearest}"
        return f"; copy the quote exactly from the article text{nearest}"


