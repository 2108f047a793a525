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


"""LINE_CHANGE and REMOVE of a line: edits by line number."""

import textwrap
import tokenize

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import port


def apply_line_change(source, change, number, whole_statement=True):
    """Replace line ``number`` (current numbering) with ``change.code``.

    With ``whole_statement``, a statement that line opens over several
    lines is replaced whole (see :func:`_statement_end`).
    """
    lines = source.split('\n')
    code = (change.code or '').replace('\r\n', '\n').strip('\n')
    if not code.strip():
        raise common.Refused('no replacement code for line %d' % change.line)
    original = lines[number - 1]
    if change.old and (' '.join(change.old.split())
                       != ' '.join(original.split())):
        raise common.Refused('line %d reads %r, not %r' % (
            change.line, texts.short(original.strip(), 80),
            texts.short(change.old.strip(), 80)))
    new_lines = code.split('\n')
    if new_lines[0][:1] not in (' ', '\t'):
        indent = original[:len(original) - len(original.lstrip())]
        new_lines = [indent + line if line.strip() else line
                     for line in new_lines]
    if new_lines == [original]:
        return source, 'line %d already reads so (no change)' % change.line
    end = _statement_end(source, number, code) if whole_statement \
        else number
    lines[number - 1:end] = new_lines
    moved = '' if number == change.line else ' (now line %d)' % number
    whole = '' if end == number else ' (the statement on lines %d-%d)' % (
        number, end)
    return '\n'.join(lines), 'replaced line %d%s%s' % (change.line, moved,
                                                       whole)


def _statement_end(source, number, code):
    """The last line of the statement line ``number`` starts.

    "Change line 62 to `self.assertIn(...)`" where line 62 opens a
    statement that goes on over the next lines means that statement:
    replacing its first line alone would leave its continuation behind.
    Only when the new code is one whole statement itself ("change lines
    N-M to" gives several, with removals of the lines after N).
    """
    tree = texts.parse_python(textwrap.dedent(code))
    if tree is None or len(tree.body) != 1:
        return number
    try:
        statements, _tail = port.logical_lines(source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return number
    for statement in statements:
        if statement.first == number:
            return number + statement.text.rstrip('\n').count('\n')
    return number


def remove_line(source, original_number, number):
    lines = source.split('\n')
    text = lines.pop(number - 1)
    moved = '' if number == original_number else ' (now line %d)' % number
    return '\n'.join(lines), 'removed line %d%s: %s' % (
        original_number, moved, texts.short(text.strip(), 70) or '(blank)')
