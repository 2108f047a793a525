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


"""The answer, not its container: what a review says once unwrapped.

Machine reviewers wrap their answer: reasoning models think aloud first
(``<think>...</think>``, a "Thinking:" preamble) and draft changes they
then reject; some answer in JSON (``{"defects": [...], "fix": "<diff>"}``);
many put findings in a markdown table whose cells hold the code.  The
rules here turn each container into plain review text, in this order:

1. reasoning is blanked out (its lines become empty, so line numbers of
   the rest still hold): only the final answer is the review;
2. a review that is one JSON document becomes markdown, string fields as
   paragraphs, code and diffs as fenced blocks introduced by their key;
3. each row of a markdown table becomes one sentence (:mod:`~.tables`):
   "Replace `A` with `B`." when the table has a before and an after
   column, else its cells joined with their headers.

:func:`unwrap` returns ``(text, notes)``; a note says what was done, for
``--explain``.
"""

import ast
import json
import re
import textwrap

from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import labels
from nova_resize_checks.review.read import tables
from nova_resize_checks.review.read import texts

# Reasoning, as reasoning models mark it.
_THINK_TAG_RE = re.compile(
    r'<(think|thinking|reasoning|reflection|scratchpad)>(.*?)(?:</\1>|\Z)',
    re.I | re.S)
# A reasoning preamble: "Thinking:" (or a heading of it) up to the answer.
_PREAMBLE_RE = re.compile(
    r'^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:thinking|reasoning|thought '
    r'process|chain of thought|analysis \(draft\)|scratchpad)(?:\*\*|__)?'
    r'[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*$', re.I | re.M)
_ANSWER_RE = re.compile(
    r'^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:final answer|answer|final '
    r'review|review|response|final response|conclusion|verdict|output)'
    r'(?:\*\*|__)?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*', re.I | re.M)
# The same preamble with the thinking on its own line ("Thinking: The test
# waits for ..."), up to an answer that says so with a colon ("Answer:",
# "Final answer:").
_INLINE_PREAMBLE_RE = re.compile(
    r'^[ \t]*(?:\*\*|__)?(?:thinking|reasoning|thought process|chain of '
    r'thought|scratchpad)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*\S',
    re.I | re.M)
_STRICT_ANSWER_RE = re.compile(
    r'^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:final answer|answer|final '
    r'response)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*', re.I | re.M)
# JSON keys whose value is the proposed change.
_FIX_KEY_RE = re.compile(
    r'fix|patch|diff|suggest|replacement|proposed|proposal|corrected|'
    r'change|code|after|new', re.I)
_MAX_JSON_DEPTH = 20


def _blank(match):
    return '\n' * match.group(0).count('\n')


def drop_reasoning(text):
    """``text`` with reasoning blanked out, and whether any was found."""
    found = False
    if _THINK_TAG_RE.search(text):
        text = _THINK_TAG_RE.sub(_blank, text)
        found = True
    for preamble, answer_re in ((_PREAMBLE_RE, _ANSWER_RE),
                                (_INLINE_PREAMBLE_RE, _STRICT_ANSWER_RE)):
        start = preamble.search(text)
        answer = answer_re.search(text, start.end()) if start else None
        if answer:
            text = (text[:start.start()] +
                    '\n' * text[start.start():answer.end()].count('\n') +
                    text[answer.end():])
            return text, True
    return text, found


def _looks_like_code(value):
    lines = value.strip('\n').split('\n')
    return diffs.looks_like_diff(value) or (
        len(lines) > 1 and (sum(1 for line in lines if re.match(
            r'\s*(?:self\.|def |class |import |from |[\w.]+\s*=|'
            r'assert|return\b|#)', line)) * 2 >= len(lines) or
            _parses_as_statements(value)))


def _parses_as_statements(value):
    """Whether ``value`` is Python with more than a bare name or literal.

    Prose does not parse; a word or two would.
    """
    tree = texts.parse_python(textwrap.dedent(value).strip('\n'))
    return tree is not None and any(
        not (isinstance(node, ast.Expr) and isinstance(
            node.value, (ast.Constant, ast.Name)))
        for node in tree.body)


# A finding's keys: what to do, and which line (of the version reviewed).
# A key lifted out of a nested object keeps its parent's name in front
# ("fix code"), so the last word names what it holds.
_ACTION_KEY_RE = re.compile(
    r'(?:^|\s)(?:action|verb|operation|op|kind|type)$', re.I)
_LINE_KEY_RE = re.compile(
    r'(?:^|\s)(?:line|line_?no|line_?number|lineno|start_?line|'
    r'line_?start|first_?line|from_?line)$', re.I)
_END_KEY_RE = re.compile(
    r'(?:^|\s)(?:end_?line|line_?end|last_?line|to_?line)$', re.I)
_REMOVE_ACTION_RE = re.compile(r'^\s*(?:remove|delete|drop)\w*\s*$', re.I)
_MAX_STATEMENT_LINES = 8


def _one_statement(value):
    """The code of a string that is one Python statement, or None.

    A statement written over several lines ("self.assertEqual(\\n    a,
    b)") comes back on one line, as Python prints it, so that a sentence
    can carry it in backticks.
    """
    if not isinstance(value, str) or '`' in value or not value.strip():
        return None
    code = value.strip()
    if '\n' not in code:
        return code if texts.parse_python(code) else None
    if code.count('\n') >= _MAX_STATEMENT_LINES:
        return None
    tree = texts.parse_python(textwrap.dedent(value).strip())
    if tree is None or len(tree.body) != 1:
        return None
    one = ast.unparse(tree.body[0])
    return one if '\n' not in one else None


def _lifted(finding):
    """A finding's keys, with one level of nested objects lifted.

    ``{"location": {"start_line": 84}}`` gives ``start_line``, and
    ``{"fix": {"kind": "replace_line", "code": "..."}}`` gives ``fix
    kind`` and ``fix code``: a key under a parent that names the fix keeps
    the parent's name, so that its code reads as the code after.  A key
    already at the top wins.
    """
    keys = {str(k): v for k, v in finding.items()}
    for parent, value in list(keys.items()):
        if not isinstance(value, dict):
            continue
        named = bool(_FIX_KEY_RE.search(parent))
        for child, inner in value.items():
            name = '%s %s' % (parent, child) if named else str(child)
            if not isinstance(inner, (dict, list)):
                keys.setdefault(name, inner)
    return keys


def _finding_sentence(finding):
    """What a structured finding asks, as one sentence, or None.

    Reviewers' JSON often says it with keys, not prose: ``old``/``new``
    (or ``current``/``suggested``, as the headers of a table), ``action:
    remove`` with the ``code``, or a ``line`` with a ``suggestion`` that
    is the line as it should be.  Only one-line code is put into the
    sentence; anything else is read as text like every other field.
    """
    keys = _lifted(finding)
    old, new = _before_and_after(keys)
    if old and new and old != new:
        return 'Replace `%s` with `%s`.' % (old, new)
    if old and _asks_removal(keys):
        return 'Remove `%s`.' % old
    line = _line_number(keys)
    if line and not old and not new and _asks_removal(keys):
        # {"action": "delete", "start_line": 81, "end_line": 85}
        end = _line_number(keys, _END_KEY_RE) or line
        return ('Remove lines %d-%d.' % (line, end) if end > line
                else 'Remove line %d.' % line)
    if new and line and not old:
        return 'Line %d: this should be `%s`.' % (line, new)
    return None


def _before_and_after(keys):
    """The one-line code of a finding's before and after fields."""
    def first(names):
        for name in names:
            code = _one_statement(keys[name])
            if code:
                return code
        return None

    codes = [k for k in keys if not _ACTION_KEY_RE.search(k) and
             not _LINE_KEY_RE.search(k)]
    before, after = labels.sides(codes)
    return (first(codes[k] for k in before),
            first(codes[k] for k in after))


def _asks_removal(keys):
    return any(_ACTION_KEY_RE.search(k) and isinstance(v, str) and
               _REMOVE_ACTION_RE.match(v) for k, v in keys.items())


def _line_number(keys, regex=None):
    """A finding's positive line number (its first), or None."""
    regex = regex or _LINE_KEY_RE
    for key, value in keys.items():
        if regex.search(key) and isinstance(value, int) and \
                not isinstance(value, bool) and value > 0:
            return value
    return None


def _json_markdown(value, key='', depth=0, out=None, said=False):
    """Markdown lines for one JSON value (strings as review text).

    ``said``: the finding this value belongs to was said as a sentence
    already, its code included (nested objects too).
    """
    out = [] if out is None else out
    if depth > _MAX_JSON_DEPTH:
        return out
    label = key.replace('_', ' ').strip()
    if isinstance(value, dict):
        _object_markdown(value, depth, out, said)
    elif isinstance(value, list):
        for item in value:
            _json_markdown(item, key, depth + 1, out)
            out.append('')
    elif isinstance(value, str):
        out.extend(_string_markdown(value, key, label))
    elif value is not None:
        out.extend(['**%s:** %s' % (label.capitalize(), json.dumps(value)),
                    ''])
    return out


def _object_markdown(value, depth, out, said):
    """A JSON object: its finding as a sentence (or blocks), then the rest.

    Fields the sentence or the blocks already said are left out.
    """
    sentence = None if said else _finding_sentence(value)
    if sentence:
        out.extend([sentence, ''])
    elif not said and _replaced_blocks(value, out):
        said = True
    said = said or bool(sentence)
    place = _comment_place(value)
    for k, v in value.items():
        if said and isinstance(v, str) and (
                (_looks_like_code(v) and not diffs.looks_like_diff(v)) or
                _one_statement(v)):
            # Said as "Replace ... with ..." blocks or the sentence above.
            continue
        key = str(k)
        if place and isinstance(v, str) and _BODY_KEY_RE.match(key):
            # A review comment's body is on its lines: "**Body (lines
            # 31-32):** ... ```suggestion" replaces those lines.
            key = '%s (%s)' % (key, place)
        _json_markdown(v, key, depth + 1, out,
                       said=said and isinstance(v, dict))


_BODY_KEY_RE = re.compile(r'^(?:body|comment|message|text|note)$', re.I)


def _comment_place(value):
    """"line 33" or "lines 31-32" of a review comment object, or None.

    GitHub's and gerrit's comment objects give the lines a comment is
    on as ``line`` (and ``start_line``), numbered as the version the
    review read.
    """
    def number(*names):
        for name in names:
            found = value.get(name)
            if isinstance(found, int) and not isinstance(found, bool) \
                    and found > 0:
                return found
        return None

    end = number('line', 'original_line', 'end_line')
    if end is None:
        return None
    first = number('start_line', 'original_start_line') or end
    if first == end:
        return 'line %d' % end
    if first < end:
        return 'lines %d-%d' % (first, end)
    return None


def _string_markdown(value, key, label):
    """A JSON string: a fenced block when it is code, else labelled text."""
    if _looks_like_code(value):
        lang = 'diff' if diffs.looks_like_diff(value) else 'python'
        intro = ('Suggested fix (%s):' % label if _FIX_KEY_RE.search(key)
                 else '%s:' % (label or 'Code').capitalize())
        return [intro, '', '```' + lang, value.strip('\n'), '```', '']
    # A bold label: "line: 94" alone would read as Python.
    return ['**%s:** %s' % (label.capitalize(), value) if label else value,
            '']


def _replaced_blocks(finding, out):
    """"Replace this:" <before> "with:" <after>, for code over lines.

    A finding whose before and after fields both hold code of several
    lines says the after replaces the before; the blocks are written so
    that the reading takes them as one replacement.  Returns whether it
    wrote them.
    """
    keys = _lifted(finding)
    codes = [k for k in keys if isinstance(keys[k], str) and
             _looks_like_code(keys[k]) and
             not diffs.looks_like_diff(keys[k])]
    before, after = labels.sides(codes)
    if not before or not after:
        return False
    out.extend(['Replace this:', '', '```python',
                keys[codes[before[0]]].strip('\n'), '```', '', 'with:', '',
                '```python', keys[codes[after[0]]].strip('\n'), '```', ''])
    return True


def _json_document(text):
    """The JSON document ``text`` is (bare or in one fence), or None."""
    body = text.strip()
    fenced = re.match(r'^(`{3,}|~{3,})[ \t]*(?:json[c5]?)?[ \t]*\n(.*)\n\1'
                      r'[ \t]*$', body, re.S | re.I)
    if fenced:
        body = fenced.group(2).strip()
    if not body[:1] in ('{', '['):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def unwrap(text):
    """``(text, notes)``: the review's final answer as plain review text."""
    notes = []
    text, thought = drop_reasoning(text)
    if thought:
        notes.append('reasoning before the answer was left out')
    document = _json_document(text)
    if document is not None and isinstance(document, (dict, list)):
        text = '\n'.join(_json_markdown(document)) + '\n'
        notes.append('the answer is a JSON document: its fields were read '
                     'as review text')
    text, count = tables.tables_as_sentences(text)
    if count:
        notes.append('%d markdown table(s) read row by row' % count)
    return text, notes
