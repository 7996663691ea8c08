"""The message catalogues: find the messages of the code, keep the .po files up to date,
compile them to the .mo files the package ships.

    python -m tools.translations          # add new messages to each .po, compile every .mo
    python -m tools.translations --check  # fail if a message lacks a translation or a .mo is stale

Messages are the string literals given to `_()`, `N_()` and `ngettext()` in `search/` and `tui.py`.
The compiler writes GNU .mo files as Python's `Tools/i18n/msgfmt.py` does (no gettext tools
needed), so `pip install` ships what is committed.
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Entry", "compile_mo", "extract", "main", "merge", "parse_po", "write_po"]

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "search"
HEADER = ("Project-Id-Version: search-fr", "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
          "Content-Transfer-Encoding: 8bit", "Plural-Forms: nplurals=2; plural=(n > 1);")


@dataclass
class Entry:
    """One message: its English text (and plural), its translation(s), where it is used."""

    msgid: str
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        """Whether every form has a translation."""
        wanted = 2 if self.plural is not None else 1
        return len(self.msgstr) == wanted and all(self.msgstr)


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(package: Path = PACKAGE) -> dict[str, Entry]:
    """The messages of the code, by msgid, in the order they are first met."""
    found: dict[str, Entry] = {}
    for path in [*sorted(package.rglob("*.py")), REPO / "tui.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            if name in ("_", "N_") and node.args:
                msgid, plural = _literal(node.args[0]), None
            elif name == "ngettext" and len(node.args) >= 2:
                msgid, plural = _literal(node.args[0]), _literal(node.args[1])
                if plural is None:
                    continue
            else:
                continue
            if not msgid:
                continue
            entry = found.setdefault(msgid, Entry(msgid, plural))
            entry.where.append(f"{path.relative_to(REPO).as_posix()}:{node.lineno}")
    return found


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a C string as .po files write them is a Python one too


def parse_po(text: str) -> dict[str, Entry]:
    """The entries of a .po file (the header apart), by msgid."""
    entries: dict[str, Entry] = {}
    current: dict[str, list[str]] = {}
    key = ""

    def flush() -> None:
        if "msgid" in current:
            msgid = "".join(current["msgid"])
            if msgid:
                plural = "".join(current["msgid_plural"]) if "msgid_plural" in current else None
                strs = [("".join(current[k])) for k in sorted(current) if k.startswith("msgstr")]
                entries[msgid] = Entry(msgid, plural, strs)
        current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            current[key].append(_unquote(line))
            continue
        word, _sp, rest = line.partition(" ")
        if word == "msgid" and "msgid" in current:
            flush()
        key = word.replace("msgstr[", "msgstr_").rstrip("]") if word.startswith("msgstr[") else word
        current[key] = [_unquote(rest)]
    flush()
    return entries


def _quote(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def write_po(entries: dict[str, Entry], language: str) -> str:
    """A .po file of these entries (in the order given), with its header."""
    lines = [f"# {language} messages of search-fr (python -m tools.translations updates this file)",
             'msgid ""', 'msgstr ""', *(_quote(h + "\n") for h in (*HEADER, f"Language: {language}")), ""]
    for entry in entries.values():
        lines += [f"#: {w}" for w in entry.where[:3]]
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.plural is not None:
            lines.append(f"msgid_plural {_quote(entry.plural)}")
            strs = entry.msgstr + [""] * (2 - len(entry.msgstr))
            lines += [f"msgstr[{i}] {_quote(s)}" for i, s in enumerate(strs[:2])]
        else:
            lines.append(f"msgstr {_quote(entry.msgstr[0] if entry.msgstr else '')}")
        lines.append("")
    return "\n".join(lines)


def merge(code: dict[str, Entry], po: dict[str, Entry]) -> dict[str, Entry]:
    """The code's messages with the translations the .po already has (messages gone from
    the code are dropped)."""
    out = {}
    for msgid, entry in code.items():
        known = po.get(msgid)
        out[msgid] = Entry(msgid, entry.plural, list(known.msgstr) if known else [], entry.where)
    return out


def compile_mo(entries: dict[str, Entry], language: str) -> bytes:
    """A GNU .mo file of the translated entries (the header first, keys sorted)."""
    pairs = {"": "".join(h + "\n" for h in (*HEADER, f"Language: {language}"))}
    for entry in entries.values():
        if not entry.translated:
            continue
        if entry.plural is not None:
            pairs[entry.msgid + "\0" + entry.plural] = "\0".join(entry.msgstr)
        else:
            pairs[entry.msgid] = entry.msgstr[0]
    keys = sorted(pairs)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode("utf-8"), pairs[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    start = 7 * 4 + 16 * len(keys)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + start]
        voffsets += [l2, o2 + start + len(ids)]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(f"{len(voffsets)}i", *voffsets)
    return output + ids + strs


def catalogues() -> list[tuple[str, Path, Path]]:
    """(language, .po path, .mo path) of every catalogue."""
    out = []
    for po in sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/search-fr.po")):
        out.append((po.parts[-3], po, po.with_suffix(".mo")))
    return out


def main(argv: list[str] | None = None) -> int:
    """Update the .po files and compile the .mo files (or, with --check, only check them)."""
    parser = argparse.ArgumentParser(prog="python -m tools.translations", description=__doc__)
    parser.add_argument("--check", action="store_true", help="check only: exit 1 on a missing "
                        "translation or a stale .mo")
    args = parser.parse_args(argv)
    code = extract()
    status = 0
    for language, po_path, mo_path in catalogues():
        merged = merge(code, parse_po(po_path.read_text(encoding="utf-8")))
        missing = [e.msgid for e in merged.values() if not e.translated]
        mo = compile_mo(merged, language)
        if args.check:
            stale = not mo_path.exists() or mo_path.read_bytes() != mo
            for msgid in missing:
                print(f"{po_path}: no translation for {msgid!r}", file=sys.stderr)
            if stale:
                print(f"{mo_path}: stale: run python -m tools.translations", file=sys.stderr)
            status |= bool(missing or stale)
            continue
        po_path.write_text(write_po(merged, language), encoding="utf-8")
        mo_path.write_bytes(mo)
        print(f"{po_path}: {len(merged)} messages, {len(missing)} without a translation")
    return status


if __name__ == "__main__":
    sys.exit(main())
