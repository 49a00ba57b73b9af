"""The few Markdown constructs the project's own reports use, as HTML.

`compare`, `whatif` and `resilience` already print Markdown for design documents; the HTML
report embeds exactly that text (so its figures are the commands' own) through this converter:
headings, paragraphs, `- ` lists, GitHub tables (with `---:` right alignment), `**bold**`,
`` `code` `` and `\\|` inside cells. Anything else is shown as escaped text, never as markup.
"""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def inline(text: str) -> str:
    """One line's inline markup (bold, code) as HTML, everything else escaped."""
    escaped = html.escape(text, quote=False)
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _table(lines: list[str]) -> str:
    head = _cells(lines[0])
    aligns = ["right" if c.strip().endswith(":") else "" for c in _cells(lines[1])]
    out = ['<table class="sortable md">', "<thead><tr>"]
    for i, cell in enumerate(head):
        style = ' class="num"' if i < len(aligns) and aligns[i] else ""
        out.append(f"<th{style}>{inline(cell)}</th>")
    out.append("</tr></thead><tbody>")
    for line in lines[2:]:
        out.append("<tr>")
        for i, cell in enumerate(_cells(line)):
            style = ' class="num"' if i < len(aligns) and aligns[i] else ""
            out.append(f"<td{style}>{inline(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(text: str, heading_offset: int = 1) -> str:
    """`text` (Markdown as this project writes it) as an HTML fragment.

    `heading_offset` demotes headings (`##` becomes `<h3>` with the default), so an embedded
    report nests under the page's own section heading.
    """
    blocks: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = min(len(heading.group(1)) + heading_offset, 6)
            blocks.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
            continue
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _RULE.match(lines[i + 1]):
            end = i + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            blocks.append(_table(lines[i:end]))
            i = end
            continue
        if line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{inline(lines[i][2:])}</li>")
                i += 1
            blocks.append("<ul>" + "".join(items) + "</ul>")
            continue
        para = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(("- ", "|", "#")):
            para.append(inline(lines[i]))
            i += 1
        if not para:  # a stray `|` or `#` line that is no table or heading: plain text
            para.append(inline(lines[i]))
            i += 1
        blocks.append("<p>" + "<br>".join(para) + "</p>")
    return "\n".join(blocks)
