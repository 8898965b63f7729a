"""The JSON Schemas of the corpus files: validation with located errors, and a fast path.

``corpus/schema/*.json`` say what an annotation file and a registry file may contain.
:class:`Schemas` validates loaded YAML against them and turns every error into a
:class:`~sahelkg.errors.Problem` at its line. Most files are valid: a hand-written check of the
keywords the schemas use (:func:`_conforms`) says so about twenty times faster than jsonschema,
which validates (and words the errors) only when that check does not answer True.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from sahelkg.corpus.names import did_you_mean
from sahelkg.corpus.scan import sha256_bytes
from sahelkg.corpus.yaml_lines import line_of
from sahelkg.errors import Problem
from sahelkg.vocab import (
    CERTAINTIES, DATE_BASES, GEO_PRECISIONS, MODALITIES, OUTCOMES, PRECISIONS, ROLE_PROPERTIES, STANCES,
)

ANNOTATION_SCHEMA = "annotation.schema.json"
REGISTRY_SCHEMA = "registry.schema.json"

# Controlled values, exported for the schema test (the schema's enums must equal these).
CONTROLLED = {
    "role": sorted(ROLE_PROPERTIES), "stance": sorted(STANCES), "certainty": sorted(CERTAINTIES),
    "precision": sorted(PRECISIONS), "basis": sorted(DATE_BASES), "geo_precision": sorted(GEO_PRECISIONS),
    "outcome": sorted(OUTCOMES), "modality": sorted(MODALITIES),
}


@cache
def _checked_against_metaschema(text: bytes) -> str:
    """The hash of a schema text that its metaschema accepts (0.1-0.16 s of jsonschema's own
    validation: once per text and process).

    :raises jsonschema.SchemaError: the metaschema rejects it.
    """
    schema = json.loads(text)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return sha256_bytes(text)


@cache
def _compiled(text: bytes) -> jsonschema.protocols.Validator:
    """The validator of a schema text (not checked against its metaschema)."""
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


class Schemas:
    """The schemas of one corpus's ``schema/`` folder, each read, checked and compiled once.

    A schema is checked against its metaschema before its first use, unless a build that checked
    the same text vouched for it (:meth:`vouch`: a mapping worker, or a build finding its registry
    cache, need not check again what the build before it did).
    """

    def __init__(self, schema_dir: Path) -> None:
        self.schema_dir = Path(schema_dir)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._vouched: set[str] = set()
        self._registry_item: dict[str, Any] | None = None

    def vouch(self, hashes: Iterable[str]) -> None:
        """Schemas with these text hashes were checked (:meth:`checked`): not again."""
        self._vouched.update(hashes)

    def checked(self) -> list[str]:
        """Check every schema of the folder against its metaschema; returns their hashes, which
        :meth:`vouch` takes in a later process (a build's cache keeps them)."""
        paths = sorted(self.schema_dir.glob("*.json"))
        for p in paths:
            self.validator(p.name)
        return [sha256_bytes(p.read_bytes()) for p in paths]

    def validator(self, name: str) -> jsonschema.protocols.Validator:
        """The validator of the schema file ``name`` (e.g. :data:`ANNOTATION_SCHEMA`).

        :raises jsonschema.SchemaError: the schema is not valid against its metaschema.
        """
        found = self._validators.get(name)
        if found is None:
            text = (self.schema_dir / name).read_bytes()
            if sha256_bytes(text) not in self._vouched:
                _checked_against_metaschema(text)
            found = self._validators[name] = _compiled(text)
        return found

    def problems(self, data: Any, name: str, file: str) -> list[Problem]:
        """The errors of loaded YAML ``data`` (of ``file``) against schema ``name``, each at its line."""
        validator = self.validator(name)
        if _conforms(data, validator.schema, validator.schema) is True:
            return []  # the common case, about 20 times faster than jsonschema's validation
        out = []
        for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            path = list(err.absolute_path)
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                # Point at the first unexpected key rather than at the mapping that holds it.
                allowed = set(err.schema.get("properties", {}))
                extra = [k for k in err.instance if k not in allowed]
                if extra:
                    path.append(extra[0])
                    out.append(Problem(file, line_of(data, path), f"{where}: {err.message}{did_you_mean(str(extra[0]), allowed)}"))
                    continue
            out.append(Problem(file, line_of(data, path), f"{where}: {err.message}"))
        return out

    def registry_item_ok(self, item: Any) -> bool:
        """True if one registry entry is valid on its own (the registry schema's ``items``)."""
        if self._registry_item is None:
            schema = self.validator(REGISTRY_SCHEMA).schema
            # the item schema with the file's $defs, so that its "#/$defs/..." references resolve on their own
            self._registry_item = {**schema["items"], "$defs": schema.get("$defs", {})}
        item_schema = self._registry_item
        if isinstance(item, dict) and _conforms(item, item_schema, item_schema) is True:
            return True  # the common case, without jsonschema's slower validation
        return isinstance(item, dict) and _compiled(json.dumps(item_schema, sort_keys=True).encode()).is_valid(item)


_ANNOTATION_KEYWORDS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format"})
_TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
}


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _conforms(x: Any, schema: Any, root: dict[str, Any]) -> bool | None:
    """A fast JSON Schema check of the keywords the corpus schemas use: True (valid), False
    (invalid) or None (a keyword it does not know). Only speeds up the common case: when it does
    not answer True, jsonschema validates and reports as before ("format" is an annotation in
    draft 2020-12, as jsonschema treats it without a format checker)."""
    if schema is True or schema is False:
        return schema
    ok = True
    for key, arg in schema.items():
        if key in _ANNOTATION_KEYWORDS:
            continue
        if key == "$ref":
            if not (isinstance(arg, str) and arg.startswith("#/")):
                return None
            target: Any = root
            for part in arg[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            if target is None:
                return None
            r = _conforms(x, target, root)
        elif key == "type":
            types = arg if isinstance(arg, list) else [arg]
            if not all(t in _TYPES for t in types):
                return None
            r = any(_TYPES[t](x) for t in types)
        elif key == "properties":
            r = True
            if isinstance(x, dict):
                for k, sub in arg.items():
                    if k in x:
                        r = _conforms(x[k], sub, root)
                        if r is not True:
                            break
        elif key == "additionalProperties":
            if "patternProperties" in schema:
                return None
            r = True
            if isinstance(x, dict):
                props = schema.get("properties", {})
                r = _each((x[k] for k in x if k not in props), arg, root)
        elif key == "required":
            r = not isinstance(x, dict) or all(k in x for k in arg)
        elif key == "dependentRequired":
            r = not isinstance(x, dict) or all(d in x for k, deps in arg.items() if k in x for d in deps)
        elif key == "propertyNames":
            r = _each(x, arg, root) if isinstance(x, dict) else True
        elif key == "items":
            r = _each(x, arg, root) if isinstance(x, list) else True
        elif key == "oneOf":
            answers = [_conforms(x, sub, root) for sub in arg]
            r = None if None in answers else answers.count(True) == 1
        elif key == "enum":
            if not (isinstance(x, str) and all(isinstance(e, str) for e in arg)):
                return None
            r = x in arg
        elif key == "pattern":
            r = not isinstance(x, str) or _regex(arg).search(x) is not None
        elif key in ("minLength", "maxLength"):
            r = not isinstance(x, str) or (len(x) >= arg if key == "minLength" else len(x) <= arg)
        elif key in ("minItems", "maxItems"):
            r = not isinstance(x, list) or (len(x) >= arg if key == "minItems" else len(x) <= arg)
        elif key in ("minimum", "maximum"):
            r = not _TYPES["number"](x) or (x >= arg if key == "minimum" else x <= arg)
        else:
            return None
        if r is None:
            return None
        ok = ok and r
    return ok


def _each(values: Iterable[Any], schema: Any, root: dict[str, Any]) -> bool | None:
    """:func:`_conforms` of several values to one schema: the first answer that is not True, else True."""
    for value in values:
        r = _conforms(value, schema, root)
        if r is not True:
            return r
    return True
