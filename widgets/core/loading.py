"""Loading teaching content (YAML) into validated model objects: one loader, :func:`load_content`.

Every content file (``widgets/content/*.yaml``, a lesson plan's front matter, the course website's launch
file) goes through ``load_content(name, Model)``.  A file that does not match its schema raises
:class:`ContentError`, a ``ValueError`` whose one-line message names the file, the line and field, what was
found and what was expected, so an instructor can fix it without reading a traceback.  Nothing is
half-loaded: the whole file validates or nothing is returned.

Checks against other content (a citation key names an evidence entry, a placeholder fills with a verified
number) are validated types of the models (:data:`widgets.core.citations.CiteKey`,
:data:`widgets.core.numbers.EvidenceText`, ...): they read the evidence base given to :func:`load_content`
(``evidence=``) from pydantic's validation context and raise :class:`ContentProblem`, so their errors name
the line too.  A check that needs the whole file (a case's stated answer against the rules) is a ``check``
function given the model and the :class:`Parsed` file, whose :meth:`Parsed.error` names the line of any place.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from collections.abc import Hashable
from typing import Any, Callable, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from widgets.core.settings import current_settings   # where content_path looks

M = TypeVar("M", bound=BaseModel)


class ContentModel(BaseModel):
    """Base of every content model: unknown fields are errors (typos surface)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def require_unique(ids, what: str) -> None:
    """Raise ValueError naming every id in ``ids`` that appears more than once."""
    ids = list(ids)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} used twice: {dupes}")


def by_id(records, record_id: str, what: str):
    """The record of ``records`` whose ``id`` is ``record_id``; a KeyError names ``what`` was asked for and the ids
    there are (``by_id(self.flags, "cauda_equina", "red flag")``)."""
    for record in records:
        if record.id == record_id:
            return record
    raise KeyError(f"no {what} '{record_id}'; the ids are {', '.join(r.id for r in records)}")


def unique_ids(field: str, what: str):
    """A model's validator: the records of ``field`` use each ``id`` once (``_unique = unique_ids("questions",
    "question ids")``); the error names every id used twice."""
    def check(records):
        require_unique([r.id for r in records], what)
        return records
    return field_validator(field)(check)


class ContentError(ValueError):
    """A content file could not be used.  ``str(err)`` is one line:

    ``<file>, line <n>, field '<dotted.path>': <problem>. Fix: <what to do>``
    """

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None,
                 field: str | None = None, fix: str | None = None):
        self.path = Path(path)
        self.line = line
        self.field = field
        self.problem = problem
        self.fix = fix
        where = [str(self.path)]
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field '{field}'")
        message = ", ".join(where) + f": {problem}"
        if fix:
            message += f". Fix: {fix}"
        super().__init__(" ".join(message.split()))


class ContentProblem(ValueError):
    """A value a validated type refuses, with the fix (the loader turns it into a :class:`ContentError`
    naming the file, the line and the field)."""

    def __init__(self, problem: str, fix: str | None = None):
        super().__init__(problem)
        self.fix = fix


@dataclass(frozen=True)
class Parsed:
    """A parsed YAML file: its data, the line of every node (keyed by its path of keys/indices), its path."""

    data: Any
    lines: dict[tuple, int]
    path: Path = Path("<text>")

    def line_for(self, loc: tuple) -> int | None:
        """The line of the deepest node on ``loc`` that exists in the file."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def error(self, loc: tuple, problem: str, *, fix: str | None = None, field: str | None = None,
              kind: type[ContentError] | None = None) -> ContentError:
        """A :class:`ContentError` (or ``kind``) at ``loc``: the file, the line of that place, the field
        (``loc`` dotted, unless ``field`` says it otherwise), the problem and the fix."""
        return (kind or ContentError)(self.path, problem, line=self.line_for(loc),
                                      field=field if field is not None else _dotted(loc), fix=fix)


def _node_lines(root: yaml.Node) -> dict[tuple, int]:
    """Line of every node by its path.  Each node is entered once, so an alias that refers
    back to its own anchor (or a deep tree of aliases) cannot loop or blow up."""
    lines: dict[tuple, int] = {}
    seen: set[int] = set()
    stack = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, path + (key.value,)) for key, value in node.value
                         if isinstance(key, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, path + (index,)) for index, value in enumerate(node.value))
    return lines


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed: same data, faster

#: Tags whose scalar the loader builds (int, float, timestamp...): a value it cannot build is the file's fault.
_TAG_NAMES = {"tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a decimal number",
              "tag:yaml.org,2002:timestamp": "a date or time", "tag:yaml.org,2002:bool": "true or false",
              "tag:yaml.org,2002:binary": "base64 data", "tag:yaml.org,2002:null": "null"}


class _UniqueKeyLoader(_BASE_LOADER):
    """SafeLoader that refuses a key written twice in one mapping, and names the line of any value
    it cannot build (an empty ``!!float``, a bad ``!!timestamp``, an integer of 100,000 digits)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value, not a list or a mapping",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"the key '{key}' appears twice in one mapping (first on line {seen[key]})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, IndexError, AttributeError, TypeError, OverflowError) as exc:
            what = _TAG_NAMES.get(node.tag, node.tag.rsplit(":", 1)[-1])
            shown = node.value if isinstance(node.value, str) else ""
            shown = repr(shown[:30] + "..." if len(shown) > 30 else shown)
            reason = str(exc).split(":")[0][:80]
            raise yaml.constructor.ConstructorError(
                None, None, f"the value {shown} cannot be read as {what} ({reason})", node.start_mark) from None


def yaml_loader(text: str) -> _UniqueKeyLoader:
    """The one parser a content file goes through (read_yaml composes and builds from it once)."""
    return _UniqueKeyLoader(text)


def _line_of_byte(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_yaml(path: Path | str, text: str | None = None) -> Parsed:
    """Parse YAML with line numbers.  Every problem in the file becomes :class:`ContentError`.

    The text is parsed once: the node tree gives the line numbers and the data is built from it.
    """
    path = Path(path)
    if text is None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ContentError(path, "the file does not exist",
                               fix="check the path, or copy the example file from widgets/content/") from None
        except IsADirectoryError:
            raise ContentError(path, "this is a folder, not a file", fix="give the path of the YAML file") from None
        except OSError as exc:
            raise ContentError(path, f"the file cannot be read ({exc.strerror})") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ContentError(path, "the file is not UTF-8 text (this line has a character saved in another "
                               "encoding)",
                               line=_line_of_byte(raw, exc.start), fix="save it as UTF-8 text") from None
    loader = yaml_loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise ContentError(path, f"this is not valid YAML ({problem})", line=line,
                           fix="check the indentation, the quoting and the value on that line") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, f"this is not valid YAML ({exc})") from None
    except RecursionError:
        raise ContentError(path, "the file nests too deeply or refers to itself through an alias (&name/*name)",
                           fix="write the data out without self-referring aliases") from None
    finally:
        loader.dispose()
    lines = _node_lines(node) if node is not None else {}
    _check_unique_ids(path, data, lines)
    return Parsed(data, lines, path)


def _check_unique_ids(path: Path, data: Any, lines: dict[tuple, int]) -> None:
    """Every list of records (mappings with an ``id``) uses each id once; the second use is named."""
    stack = [((), data)]
    seen: set[int] = set()
    while stack:
        loc, value = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen:  # an alias: already checked where its anchor is (and no alias bomb)
                continue
            seen.add(id(value))
        if isinstance(value, dict):
            stack.extend((loc + (k,), v) for k, v in value.items() if isinstance(k, (str, int)))
        elif isinstance(value, list):
            first: dict[Any, int] = {}
            for i, item in enumerate(value):
                stack.append((loc + (i,), item))
                if isinstance(item, dict) and isinstance(item.get("id"), (str, int)) and not isinstance(
                        item.get("id"), bool):
                    key = item["id"]
                    if key in first:
                        raise ContentError(
                            path, f"the id '{key}' is used twice in this list (first at item {first[key] + 1}, "
                                  f"line {lines.get(loc + (first[key], 'id'), '?')})",
                            line=lines.get(loc + (i, "id")), field=_dotted(loc + (i, "id")),
                            fix="give each record its own id")
                    first[key] = i


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(error: dict) -> tuple[str, str]:
    """(problem, fix) in plain words for one pydantic error."""
    kind = error["type"]
    given = error.get("input")
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind == "missing":
        return "this required field is missing", "add it"
    if kind == "extra_forbidden":
        return "this field is not known", "remove it or correct its spelling"
    if kind in {"literal_error", "enum"}:
        expected = error.get("ctx", {}).get("expected", "one of the allowed values")
        return f"{shown} is not allowed", f"use {expected}"
    problem = error.get("ctx", {}).get("error")
    if isinstance(problem, ContentProblem):
        return str(problem), problem.fix or "correct the value"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (found {shown})", "correct the value"


def _validate(located: Parsed, model: type[M], path: Path | str, *, id_field: str = "id",
              context: dict | None = None) -> M:
    """Validate parsed YAML against ``model``; a failure names file, line and field."""
    if located.data is None:
        raise ContentError(path, "the file is empty", fix=f"fill it in as described in {model.__name__}")
    try:
        return model.model_validate(located.data, context=context)
    except RecursionError:
        raise ContentError(path, "the data nests too deeply or refers to itself through an alias (&name/*name)",
                           fix=f"write it out as {model.__name__} expects, without self-referring aliases") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        if not loc and not isinstance(located.data, dict):
            held = {str: "text", int: "a number", float: "a number", list: "a list", bool: "true or false"}.get(
                type(located.data), type(located.data).__name__)
            raise ContentError(path, f"the file holds {held}, not a mapping of fields", line=1,
                               field="(whole file)",
                               fix=f"write it as 'field: value' lines, as {model.__name__} expects") from None
        field = _dotted(loc)
        # Name the record's own id (e.g. a case id) when the error sits inside one.
        record_id = None
        for cut in range(len(loc), 0, -1):
            record = _get(located.data, loc[:cut])
            if isinstance(record, dict) and isinstance(record.get(id_field), str) and cut < len(loc):
                record_id = record[id_field]
                break
        if record_id:
            field = f"{field} (in {id_field} '{record_id}')"
        problem, fix = _describe(error)
        more = len(exc.errors()) - 1
        if more:
            problem += f" (and {more} more problem{'s' if more > 1 else ''} after this one)"
        raise ContentError(path, problem, line=located.line_for(loc), field=field, fix=fix) from None


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def content_path(name: str | Path) -> Path:
    """The path of a content file: a name under the package's content folder (``'evidence.yaml'``,
    ``'procedures/kyphoplasty.yaml'``), or a path, given as a :class:`~pathlib.Path` or as an absolute string,
    that is used as it is."""
    if isinstance(name, Path) or Path(name).is_absolute():
        return Path(name)
    return current_settings().content_dir / name


def load_content(name: str | Path, model: type[M], *, evidence: Any = None, id_field: str = "id",
                 check: Callable[[M, Parsed], None] | None = None, text: str | None = None,
                 kind: type[ContentError] = ContentError) -> M:
    """Read a content file and validate it as ``model``: the one way content is loaded.

    ``name`` is a content file's name or a path (:func:`content_path`).  ``evidence`` (an
    :class:`~widgets.core.evidence.EvidenceBase`; the shipped one when left out) is what the validated types
    check citation keys and numbers against.  ``check(model, parsed)`` runs the checks that need the whole file,
    raising ``parsed.error(loc, ...)``.  ``text`` is the file's text when it is not read from ``name`` (a lesson
    plan's front matter).  Every error is a ``kind`` (a :class:`ContentError`) naming the file, line and field.
    """
    path = content_path(name)
    try:
        parsed = read_yaml(path, text)
        value = _validate(parsed, model, path, id_field=id_field, context={"evidence": evidence})
        if check is not None:
            check(value, parsed)
        return value
    except ContentError as exc:
        if isinstance(exc, kind):
            raise
        raise kind(exc.path, exc.problem, line=exc.line, field=exc.field, fix=exc.fix) from None
