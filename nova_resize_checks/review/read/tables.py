# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Markdown tables of findings, read row by row as sentences.

Found with markdown-it-py's table rule.  Each row becomes one sentence:
"Replace `A` with `B`." when the table has a before and an after column
(named in :mod:`~nova_resize_checks.review.read.labels`' words, or
told apart by which columns hold code), "Line N: ..." when a column
holds line numbers, else the cells joined with their headers.
"""

import re

import markdown_it

from nova_resize_checks.review.read import labels
from nova_resize_checks.review.read import texts

_MD_TABLE = None
# An after-column cell that asks for the before column's code to go.
# Markdown emphasis and brackets around it are decoration: *(delete)*.
_REMOVAL_CELL = re.compile(
    r'[\s*_(\[]*(?:remove|delete|drop|omit|deleted|removed|dropped|none|'
    r'n/a|nothing)\b', re.I)


def _table_parser():
    global _MD_TABLE
    if _MD_TABLE is None:
        _MD_TABLE = markdown_it.MarkdownIt('zero').enable(['table',
                                                           'fence', 'code'])
    return _MD_TABLE


def _rows(tokens, start):
    """(header cells, body rows, index after table_close) from start."""
    header, rows, row, cells = [], [], None, None
    i = start
    while i < len(tokens) and tokens[i].type != 'table_close':
        token = tokens[i]
        if token.type == 'tr_open':
            cells = []
        elif token.type == 'inline' and cells is not None:
            cells.append(token.content.strip())
        elif token.type == 'tr_close':
            row = cells
            cells = None
            if not header and tokens[i - 1].type in ('th_close',):
                header = row
            else:
                rows.append(row)
        i += 1
    return header, rows, i + 1


def _sentence(header, cells):
    """One table row as a sentence.

    "Replace `A` with `B`." (or "Remove `A`.") when the row fills a before
    and an after column, else its cells joined with their headers.
    """
    columns = _before_after(header, cells)
    said = _change_sentence(cells, *columns) if columns else \
        _line_sentence(header, cells)
    if said is not None:
        return said
    parts = []
    for k, cell in enumerate(cells):
        if not cell:
            continue
        name = header[k] if k < len(header) else ''
        parts.append('%s: %s' % (name, cell) if name else cell)
    return _closed('; '.join(parts))


def _before_after(header, cells):
    """``(before, after)`` column indexes, when this row has code before.

    None unless the table has both columns, the row reaches them, and
    its before cell holds backticked code.
    """
    before, after = labels.sides(header)
    if before and after and before[0] < len(cells) and \
            after[0] < len(cells) and '`' in cells[before[0]]:
        return before[0], after[0]
    if before or after:
        return None
    return _code_columns(header, cells)


# A column named for a version ("upstream", "recreate", "Stein") compares
# versions; it does not propose.
_VERSION_HEADER_RE = re.compile(
    r'upstream|recreate|stable|stein|train|ussuri|master|head\b|ours|'
    r'version|release|patch ?set|\bps\s*\d', re.I)


def _code_columns(header, cells):
    """``(before, after)`` by content, for headers in no known words.

    "| Rad | Nu | Förslag |": when exactly two of the row's cells are each
    one backticked statement (a call or an assignment), the left one is
    the code as it is and the right one the code as proposed, as a table
    of findings lays them out in any language.  Not for columns named for
    versions, which compare and do not propose.
    """
    if any(_VERSION_HEADER_RE.search(h) for h in header):
        return None
    columns = [k for k, cell in enumerate(cells)
               if _whole_code(cell) is not None and
               texts.one_line_statement(_whole_code(cell))]
    if len(columns) != 2:
        return None
    return columns[0], columns[1]


def _whole_code(cell):
    """The code of a cell that is one inline code span, else None."""
    cell = cell.strip()
    if len(cell) > 2 and cell.startswith('`') and cell.endswith('`') and \
            cell.count('`') == 2:
        return cell[1:-1]
    return None


_LINE_HEADER_RE = re.compile(r'^\W*(?:line|lines|line\(s\)|ln|l)\W*$', re.I)


_LINE_CELL_RE = re.compile(r'^\D{0,3}(\d{1,6})\b')


def _line_sentence(header, cells):
    """"Line N: this should be `code`." for a row without a before column.

    The row has a line column and an after column (as a JSON finding with
    a line and a suggestion reads); else None.
    """
    lines = [k for k, h in enumerate(header) if _LINE_HEADER_RE.match(h)]
    after = [k for k, h in enumerate(header) if labels.AFTER_RE.search(h) and
             not labels.BEFORE_RE.search(h.replace('code', ''))]
    if not lines or not after or max(lines[0], after[0]) >= len(cells):
        return None
    number = _LINE_CELL_RE.match(cells[lines[0]])
    code = cells[after[0]].strip()
    if not number or not (code.startswith('`') and code.endswith('`')) or \
            code.count('`') != 2:
        return None
    return 'Line %s: this should be %s.' % (number.group(1), code)


def _change_sentence(cells, before, after):
    """"Replace A with B." or "Remove A." for a row, or None."""
    old, new = cells[before], cells[after]
    rest = [c for k, c in enumerate(cells)
            if k not in (before, after) and c]
    if new.startswith('`'):
        lead = ('%s: ' % '; '.join(rest)) if rest else ''
        return '%sReplace %s with %s.' % (lead, old, new)
    if _REMOVAL_CELL.match(new) and '`' not in new:
        # "remove the line" in the after column: the before column's
        # code goes.  The other cells follow as their own sentences,
        # so that code they name is not taken for what goes.
        tail = ' '.join(_closed(c) for c in rest)
        return ('Remove %s. %s' % (old, tail)).strip()
    return None


def _closed(text):
    """``text`` ending as a sentence does."""
    return text if text.endswith(('.', '?', '!')) else text + '.'


def tables_as_sentences(text):
    """``text`` with every markdown table's rows turned into sentences."""
    if '|' not in text:
        return text, 0
    tokens = _table_parser().parse(text)
    lines = text.split('\n')
    count = 0
    for i, token in enumerate(tokens):
        if token.type != 'table_open' or not token.map:
            continue
        first, end = token.map
        header, rows, _ = _rows(tokens, i)
        body = [_sentence(header, row) for row in rows]
        span = end - first
        replacement = ([''] * (span - len(body)) + body)[-span:] \
            if span >= len(body) else [' '.join(body)] + [''] * (span - 1)
        lines[first:end] = replacement
        count += 1
    return '\n'.join(lines), count
