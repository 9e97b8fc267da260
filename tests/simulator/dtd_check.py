"""A small DTD validator for tests: element content models and attributes, no lxml needed.

Reads <!ENTITY % ...>, <!ELEMENT ...> and <!ATTLIST ...> declarations (external entities
such as the MathML module are skipped), turns each content model into a regular expression
over the child element names, and checks an ElementTree element recursively: undeclared
elements, children out of order, text where only elements may be, undeclared attributes,
missing #REQUIRED ones and values outside an enumeration. MathML subtrees are not descended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_ATTR = re.compile(r'(\S+)\s+(\([^)]*\)|\S+)\s+(#REQUIRED|#IMPLIED|#FIXED\s+"[^"]*"|"[^"]*")')


@dataclass
class Dtd:
    models: dict[str, re.Pattern[str]] = field(default_factory=dict)
    mixed: set[str] = field(default_factory=set)  # elements whose model allows text
    attributes: dict[str, dict[str, tuple[frozenset[str] | None, bool]]] = field(
        default_factory=dict
    )  # element -> name -> (allowed values or None, required)


def _model_regex(model: str) -> str:
    if model in ("EMPTY", "ANY"):
        return "" if model == "EMPTY" else "(?:<[^>]+>)*"
    out = []
    for token in re.findall(r"[()|,?*+]|[^\s()|,?*+]+", model):
        if token == "(":
            out.append("(?:")
        elif token == ",":
            continue
        elif token in ")|?*+":
            out.append(token)
        elif token != "#PCDATA":
            out.append(f"(?:<{re.escape(token)}>)")
    return "".join(out)


def load_dtd(path: Path) -> Dtd:
    text = re.sub(r"<!--.*?-->", "", path.read_text(), flags=re.S)
    entities = dict(re.findall(r'<!ENTITY\s+%\s+(\S+)\s+"([^"]*)"\s*>', text))
    text = re.sub(r"%([\w.-]+);", lambda m: entities.get(m[1], ""), text)
    dtd = Dtd()
    for name, model in re.findall(r"<!ELEMENT\s+(\S+)\s+(.*?)>", text, flags=re.S):
        model = " ".join(model.split())
        dtd.models[name] = re.compile(_model_regex(model))
        if "#PCDATA" in model or model == "ANY":
            dtd.mixed.add(name)
    for name, body in re.findall(r"<!ATTLIST\s+(\S+)(.*?)>", text, flags=re.S):
        declared = dtd.attributes.setdefault(name, {})
        for attr, kind, default in _ATTR.findall(body):
            allowed = (
                frozenset(v.strip() for v in kind[1:-1].split("|")) if kind[0] == "(" else None
            )
            declared[attr] = (allowed, default == "#REQUIRED")
    return dtd


def _name(tag: str) -> str:
    return "mml:" + tag[len(_MATHML) :] if tag.startswith(_MATHML) else tag


def validate(element: ET.Element, dtd: Dtd, path: str = "") -> list[str]:
    """Every violation in `element` and below, as 'path: message' strings."""
    name = _name(element.tag)
    where = f"{path}/{name}"
    if name.startswith("mml:"):
        return []
    if name not in dtd.models:
        return [f"{where}: element not declared"]
    errors = []
    children = "".join(f"<{_name(child.tag)}>" for child in element)
    if not dtd.models[name].fullmatch(children):
        errors.append(f"{where}: children {children or '(none)'} do not fit the content model")
    if name not in dtd.mixed:
        texts = [element.text or "", *(child.tail or "" for child in element)]
        if any(t.strip() for t in texts):
            errors.append(f"{where}: text where only elements are allowed")
    declared = dtd.attributes.get(name, {})
    for attr, value in element.attrib.items():
        if attr.startswith("{"):  # xmlns and friends
            continue
        if attr not in declared:
            errors.append(f"{where}: attribute {attr} not declared")
        elif (allowed := declared[attr][0]) is not None and value not in allowed:
            errors.append(f"{where}: {attr}={value!r} not in {sorted(allowed)}")
    errors += [
        f"{where}: missing {a}"
        for a, (_, req) in declared.items()
        if req and a not in element.attrib
    ]
    for child in element:
        errors += validate(child, dtd, where)
    return errors
