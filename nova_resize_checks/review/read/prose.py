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


"""Prose and its sentences: code spans masked, sentences split, lines kept.

A prose block of a review is read with its inline code spans replaced by
placeholders (``\ue000N\ue001``, see :func:`mask_code`), so that the
wording around code can be matched without the code getting in the way;
:func:`split` cuts the masked text into sentences.  Every stage that reads
prose (extract, findings) uses this module, and nothing else splits
sentences.
"""

import bisect
import collections
import re

from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import texts

PH_OPEN = '\ue000'
PH_CLOSE = '\ue001'
PH = '\ue000(\\d+)\\n*\ue001'


def named_ph(name):
    """PH with its number captured in group ``name``."""
    return '\ue000(?P<%s>\\d+)\\n*\ue001' % name


_IDENT_RE = re.compile(
    r'(?:self\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?')
_PLAIN_IDENT = re.compile(r'[A-Za-z_]\w*')
# Capital letters a sentence may start with: ASCII's, and those of the
# Latin, Greek and Cyrillic scripts (Armenian included) past it.
_CAPITALS = re.escape(''.join(c for c in map(chr, range(0xc0, 0x530))
                              if c.isupper()))
# A colon ends a sentence at a line break, unless the next line is one
# code span alone ("Change line 43 to:" then the new line of code).
_SENTENCE_SPLIT_RE = re.compile(
    r'(?<=[.!?])(?<!\bi\.e\.)(?<!\be\.g\.)\s+(?=[A-Z' + _CAPITALS +
    r'\ue000"\'(\[])|'
    # The full stops of scripts without capitals: Devanagari's danda,
    # the Arabic full stop and question mark.  (A CJK paragraph stays one
    # piece: "このアサーションは削除してください" points back at the code
    # its previous sentence quoted.)
    r'(?<=[\u0964\u0965\u061f\u06d4])[ \t]*(?=\S)|'
    r'(?<=:)[ \t]*\n(?![ \t]*\ue000\d+\n*\ue001[ \t.]*(?:\n|$))|'
    r'\n(?=[ \t]*(?:\d{1,4}[.)]|[-*+])[ \t])|\n[ \t]*\n')


class Sentence(collections.namedtuple(
        'Sentence', ['text', 'masked', 'codes', 'line', 'end_line',
                     'block'])):
    """A sentence of a prose block.

    ``masked`` has each inline code span replaced by a placeholder
    ``\\ue000N\\ue001`` (newlines kept) where N indexes ``codes``, which
    holds the whole block's spans; ``line`` and ``end_line`` are review
    lines; ``block`` indexes ``ParsedReview.blocks``.
    """

    __slots__ = ()

    @property
    def own_codes(self):
        """The code spans written in this sentence."""
        return codes_in(self.masked, self.codes)


# A bare word of plain-text prose that can only be code: snake_case,
# camelCase (``assertIn``) or ``self.x``, optionally called (``f()``).
_BARE_CODE_RE = re.compile(
    r'(?<![\w.`/\\-])((?:self\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?)'
    r'(?![\w`/\\-])')


def _closing_brackets(text):
    """``{position of an opening bracket: position after its closer}``.

    One pass with a stack (quotes are not tracked: a call whose strings
    hold brackets may be missed, never mis-parsed, as every candidate is
    parsed before it counts).  Linear in ``len(text)``.
    """
    pairs = {}
    stack = []
    for i, ch in enumerate(text):
        if ch in '([{':
            stack.append(i)
        elif ch in ')]}' and stack:
            pairs[stack.pop()] = i + 1
    return pairs


# The target of ``x = f(...)`` / ``self.a[0] = f(...)`` just before "=".
_ASSIGN_TARGET_RE = re.compile(
    r'((?:self\.)?[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?)$')
# Prose with more code-like words than this in one block is not prose a
# reviewer wrote; the rest of it is left as text.
MAX_BARE_SPANS = 2000


def _bare_code_spans(text):
    """Words of ``text`` that are clearly code, as code spans.

    For prose written without backticks: identifiers, and calls written
    out in full (``self.assertEqual(a, b)``, ``x = f(y)``) when they
    parse as Python.
    """
    pos = 0
    found = 0
    closers = _closing_brackets(text)
    for examined, m in enumerate(_BARE_CODE_RE.finditer(text)):
        if m.start(1) < pos:
            continue
        if found >= MAX_BARE_SPANS or examined >= 20 * MAX_BARE_SPANS:
            return
        call = _written_call(text, m, closers)
        if call is not None:
            found += 1
            yield call
            pos = call[1]
        elif _is_bare_code(m.group(1)):
            found += 1
            yield m.start(1), m.end(1), m.group(1)


def _written_call(text, m, closers):
    """``(begin, end, code)`` of a call written out in full at word ``m``.

    The call (``f(x)``, with the target of ``y = f(x)`` before it) must
    close within 2000 characters and parse; None otherwise.
    """
    word = m.group(1)
    after = m.end(1)
    if word.endswith('()') or after >= len(text) or text[after] != '(':
        return None
    end = closers.get(after)
    if end is not None and end - after > 2000:
        end = None
    begin = _assignment_start(text, m.start(1))
    if end and texts.parses(text[begin:end]):
        return begin, end, text[begin:end]
    return None


def _assignment_start(text, begin):
    """Where ``x = `` before a call at ``begin`` starts, else ``begin``."""
    before = text[max(0, begin - 80):begin].rstrip(' ')
    if before.endswith('=') and not before.endswith(('==', '!=',
                                                     '<=', '>=')):
        assign = _ASSIGN_TARGET_RE.search(before[:-1].rstrip(' '))
        if assign:
            begin -= len(text[max(0, begin - 80):begin]) - \
                assign.start(1)
    return begin


def _is_bare_code(word):
    """Whether a bare word can only be code (not a constant, not CWE)."""
    last = word[:-2] if word.endswith('()') else word
    last = last.rsplit('.', 1)[-1]
    return bool((word.startswith('self.') or word.endswith('()') or
                 clearly_identifier(last)) and not last.isupper() and
                not re.match(r'(?i)cwe\b', last))


def is_plain_text(parsed):
    """A review written without any backtick (plain text)."""
    return '`' not in parsed.text


def mask_code(text, plain=False):
    """``(masked, codes)``: inline code spans replaced by placeholders.

    With ``plain`` (a review without backticks, see is_plain_text), words
    that can only be code (``assertIn``, ``_resize_and_assert_error``,
    ``self.flavor2``) are the code spans.
    """
    parts = []
    codes = []
    pos = 0
    spans = list(_bare_code_spans(text)) if plain else \
        container.code_spans(text)
    for start, end, content in spans:
        parts.append(text[pos:start])
        parts.append('%s%d%s%s' % (PH_OPEN, len(codes),
                                   '\n' * text.count('\n', start, end),
                                   PH_CLOSE))
        codes.append(content)
        pos = end
    parts.append(text[pos:])
    return ''.join(parts), codes


def codes_in(masked, codes):
    """The code spans ``masked`` (a piece of masked text) holds, in order.

    ``codes`` is the list :func:`mask_code` made for the whole text; a
    sentence holds only the placeholders written in it.
    """
    return [codes[int(i)] for i in re.findall(PH, masked)]


def unmask(masked, codes, raw=False):
    """``masked`` with its code spans back, in backticks unless ``raw``."""
    form = '%s' if raw else '`%s`'
    return re.sub(PH, lambda m: form % codes[int(m.group(1))], masked)


def line_counter(text, first):
    """A function giving the review line of an offset into ``text``.

    ``text`` starts on line ``first``; each call costs O(log n).
    """
    newlines = [m.start() for m in re.finditer('\n', text)]

    def line_at(offset):
        return first + bisect.bisect_left(newlines, offset)

    return line_at


def iter_sentences(parsed):
    """Every :class:`Sentence` of the review's prose blocks, in order."""
    for index, block in enumerate(parsed.blocks):
        if block.kind != 'prose':
            continue
        masked, codes = mask_code(block.text, is_plain_text(parsed))
        line_at = line_counter(masked, block.span.start)
        for start, end in split(masked):
            piece = masked[start:end]
            if not piece.strip():
                continue
            line = line_at(start)
            end_line = line + piece.rstrip('\n').count('\n')
            yield Sentence(unmask(piece, codes).strip(), piece, codes, line,
                           end_line, index)


def name_of(code):
    """The name a code span holds, or None.

    ``self.`` and a trailing ``()`` are dropped; None when the span is not
    a plain (possibly dotted) name.
    """
    code = code.strip()
    if not _IDENT_RE.fullmatch(code):
        return None
    if code.endswith('()'):
        code = code[:-2]
    if code.startswith('self.'):
        code = code[5:]
    return code


def clearly_identifier(word):
    """A word that can only be code (snake_case, camelCase, digits)."""
    return bool(_PLAIN_IDENT.fullmatch(word) and (
        '_' in word or any(c.isdigit() for c in word) or
        any(c.isupper() for c in word[1:])))


def split(masked):
    """``[(start, end)]`` of the sentences of masked text.

    The one sentence splitter of the meta-check.
    """
    bounds = []
    pos = 0
    for m in _SENTENCE_SPLIT_RE.finditer(masked):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(masked)))
    return bounds


def sentences_of(text):
    """``(masked sentences, codes)`` of a prose text.

    Text without a single backtick is read as plain text (bare code spans).
    """
    masked, codes = mask_code(text, '`' not in text)
    pieces = [masked[start:end] for start, end in split(masked)]
    return [p for p in pieces if p.strip()], codes
