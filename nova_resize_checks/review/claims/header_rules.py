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


"""The header rules: what a gerrit comment asks of the line it is on.

Rules of :data:`.rules.SENTENCE_RULES` for a paragraph opened by a
one-line comment header ("PS2, Line 76:"): a statement offered as the
line's better form, or a literal offered for the one of its kind there.
"""

import ast
import difflib

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes


def header_line_change_rule(s):
    """"L62: ... `self.assertIsNotNone(server['fault'])` is all we need".

    In a paragraph opened by a one-line gerrit comment header, a sentence
    that offers one statement as the better form ("is enough", "why not",
    "use ... instead") asks for it in place of the statement at the
    header's line, when it reads as a new form of that statement (see
    :func:`numbering.new_form_of`).  The line is numbered as the version
    the review read.
    """
    if s.changes or s.header is None or s.header[0] != s.header[1] or \
            not lexicon.HEADER_PROPOSAL_RE.search(s.masked) or \
            lexicon.NEGATED_PROPOSAL_RE.search(s.masked):
        return
    codes = [code.strip() for code in s.own_codes]
    statements = [c for c in codes if texts.one_line_statement(c)]
    if len(statements) != 1:
        return
    code = quotes.port_dialect(statements[0])
    number = s.header[0]
    here, _version = numbering.line_of_known_version(
        number, code, s.refs.lines, s.refs.reviewed, s.refs.named_version)
    line = here or number
    test = '\n'.join(s.refs.lines[0]) if s.refs.lines else ''
    if ' '.join(code.split()) in s.refs.test_text or \
            not numbering.new_form_of(test, line, code):
        return
    s.changes.append(model.change(
        kind=model.LINE_CHANGE, span=s.span, code=code, line=line,
        summary='replace line %d with %s (the comment on line %d)'
        % (line, texts.short(code, 60), number)))


def header_literal_rule(s):
    """"PS2, Line 76: ... Should this be 'host1'?": one literal changes.

    Under a one-line gerrit comment header, a sentence that offers a
    literal for the commented line (a string or a number, as a question
    or not) asks for the one literal of that kind on the line, the one it
    resembles when there are several, to become it.  The line is
    numbered as the version the review read.
    """
    if s.changes or s.header is None or s.header[0] != s.header[1]:
        return
    m = lexicon.HEADER_LITERAL_RE.search(s.masked)
    if m is None:
        return
    try:
        new = ast.literal_eval(prose.unmask(m.group('literal'), s.codes,
                                            raw=True))
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return
    number = s.header[0]
    line = s.our_line(number)
    test_lines = s.test_lines
    if not 1 <= line <= len(test_lines):
        return
    old_line = test_lines[line - 1]
    tree = texts.parse_python(old_line.strip())
    if tree is None:
        return
    same_kind = [node for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and
                 type(node.value) is type(new) and node.value != new]
    if len(same_kind) > 1:
        same_kind = [node for node in same_kind if difflib.SequenceMatcher(
            None, str(node.value), str(new)).ratio() >= 0.6]
    if len(same_kind) != 1:
        return
    node = same_kind[0]
    stripped = old_line.strip()
    lines = stripped.split('\n')
    if node.lineno != 1 or node.end_lineno != 1:
        return
    code = lines[0][:node.col_offset] + repr(new) + \
        lines[0][node.end_col_offset:]
    s.changes.append(model.change(
        kind=model.LINE_CHANGE, span=s.span, code=code, line=line,
        summary='replace %r with %r on line %d (the comment on line %d)'
        % (node.value, new, line, number)))
