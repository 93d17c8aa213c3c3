"""Write nnlib/datasets/book_prose.txt: the prose of the book's chapters 1-6, without code.

The tiny language model of chapter 7 trains on this text (``nnlib.language_model.
load_corpus()``). Run from the repository root, after the chapters changed::

    python nnlib/datasets/make_corpus.py

What is kept: the paragraphs and list items of book/01_*.md .. book/06_*.md. What goes:
the front matter, code cells and every other fenced block (directives, figures, outputs),
tables, display maths ($$...$$) and every sentence with a formula longer than a symbol or
two (short ones such as $x_1$ stay, as x1), headings, HTML, and markdown markup (links keep their
text, ``**bold**`` and ``code`` lose their marks). Typographic characters become ASCII
(an en dash becomes "-", a curly quote a straight one) and any other non-ASCII character is
dropped, so the vocabulary is the printable ASCII characters and the newline. Each paragraph
is one line; the file is deterministic (the same chapters give the same bytes).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = [f"book/0{n}_*.md" for n in range(1, 7)]
OUT = Path(__file__).resolve().parent / "book_prose.txt"
MAX_BYTES = 200_000

ASCII = {"\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u2018": "'", "\u2019": "'",
         "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00d7": "x", "\u2192": "->",
         "\u2248": "~", "\u00a0": " ", "\u2264": "<=", "\u2265": ">=", "\u00b7": "."}


def _fenced_blocks_removed(lines: list[str]) -> list[str]:
    """Drop the front matter and every fenced block (``` or :::), fences included."""
    out, fence = [], None
    if lines and lines[0].strip() == "---":  # front matter
        end = lines.index("---", 1) if "---" in lines[1:] else 0
        lines = lines[end + 1:]
    for line in lines:
        stripped = line.strip()
        match = re.match(r"^(`{3,}|:{3,})", stripped)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        out.append(line)
    return out


def _maths(match: re.Match) -> str:
    """Short maths such as $x_1$ or $w = 0.5$ as plain text; anything else a marker."""
    formula = match.group(1)
    if re.fullmatch(r"[A-Za-z0-9_{} .,=+<>-]{1,12}", formula):
        return formula.replace("_", "").replace("{", "").replace("}", "")
    return "\x00"


def _inline_cleaned(text: str) -> str:
    text = text.replace("\n", " ")
    text = re.sub(r"\$([^$]*)\$", _maths, text)                 # inline maths
    sentences = re.split(r"(?<=[.!?;:])\s+", text)                # drop those with long maths
    text = " ".join(sentence for sentence in sentences if "\x00" not in sentence)
    text = re.sub(r"\{[a-z-]+\}`([^`]*)`", r"\1", text)        # {term}`x`, {doc}`x` roles
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)     # [text](url) -> text
    text = re.sub(r"<[^>]+>", "", text)                        # HTML tags
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"\1", text)      # _emphasis_
    text = re.sub(r"(?<!\w)\*([^*]+)\*(?!\w)", r"\1", text)    # *emphasis*
    for char, ascii_text in ASCII.items():
        text = text.replace(char, ascii_text)
    text = "".join(c for c in text if " " <= c <= "~")
    text = re.sub(r"\(\s*\)", "", text)                        # brackets emptied by the above
    text = re.sub(r" +([,.;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def prose(markdown: str) -> list[str]:
    """The paragraphs of one chapter's MyST markdown, as cleaned one-line strings."""
    lines = _fenced_blocks_removed(markdown.splitlines())
    text = "\n".join(lines)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)          # display maths
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        kept = [line for line in block.splitlines()
                if not re.match(r"^\s*(#|\||\(.*\)=\s*$|>|\+\+\+|---)", line)]
        if not kept:
            continue
        items = re.split(r"\n\s*(?:[-*]|\d+\.)\s+", "\n" + "\n".join(kept))  # list items apart
        for item in items:
            cleaned = _inline_cleaned(item)
            if len(cleaned.split()) >= 4:  # drop captions, labels and stray fragments
                paragraphs.append(cleaned)
    return paragraphs


def main() -> int:
    paragraphs = []
    for pattern in CHAPTERS:
        for path in sorted(REPO.glob(pattern)):
            paragraphs += prose(path.read_text(encoding="utf-8"))
    text = "\n".join(paragraphs) + "\n"
    data = text.encode("ascii")
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES].rsplit(b"\n", 1)[0] + b"\n"  # whole paragraphs only
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(REPO)}: {len(data)} bytes, {len(paragraphs)} paragraphs, "
          f"{len(set(data.decode()))} different characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
