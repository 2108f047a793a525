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


"""Where the prose puts a code block: next to a line or a statement.

The introduction of a block may say where it goes: in place of the
statement quoted before it ("replace that call with:"), at the end or
start of a def, in place of named calls, next to a line of the version
reviewed ("add after line 85:") or next to a statement quoted inline
("add after `X`:"); new assertions with no place go at the end of the
test method.  Each reading gives changes or None; :mod:`.fixes` tries
them in its order.
"""

import ast
import builtins
import re
import textwrap

from nova_resize_checks import assertions
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes


def _antecedent(codes, test_source):
    """The last quoted code that is one whole statement of the test.

    ``codes``: the code spans of the introduction, in order.  None when
    none is, or when that statement is in the test more than once.
    """
    if not test_source:
        return None
    test = quotes.logical_lines(test_source)
    for code in reversed(codes):
        key = quotes.logical_lines(code)
        if len(key) != 1 or texts.parse_python(code) is None:
            continue
        for form in (key[0], 'self.' + key[0]):
            # (Reviews drop the ``self.`` of a method: "the
            # `assertFlavorMatchesUsage(...)` call".)
            if test.count(form) == 1:
                return code.strip() if form == key[0] else \
                    'self.' + code.strip()
    return None


def _in_place_of(old, code, span):
    """The block ``code`` takes the place of statement ``old`` (or None)."""
    if old is None:
        return None
    return [model.change(
        kind=model.INSERT, span=span, code=code, anchor=old,
        where='before', summary='add the block in place of `%s`'
        % texts.short(old, 60)),
        model.change(
            kind=model.REMOVE, span=span, old=old,
            summary='remove `%s` (replaced by the block)'
            % texts.short(old, 60))]


def continued_in_place(block_after, code, span, test_source):
    """A block whose sentence ends after it with "instead of `X`"."""
    if block_after is None or block_after.kind != 'prose':
        return None
    masked, codes = prose.mask_code(block_after.text)
    m = lexicon.CONTINUED_INSTEAD_RE.match(masked)
    if not m or texts.parse_python(code) is None:
        return None
    return _in_place_of(_antecedent([codes[int(m.group('code'))]],
                                    test_source),
                        code, span)


def placed_block(last, codes, code, span, test_source=''):
    """Changes for a block whose introduction says where it goes.

    ``last``: the introduction's last sentence, masked (``codes``: the code
    spans of its prose block).  The end or start of a def, in place of
    named calls, or in place of the statement quoted just before ("replace
    that call with:"); None when the introduction says neither or the
    block is not statements.
    """
    if texts.parse_python(code) is None or re.search(
            r'^\s*(?:def|class)\s', code, re.M):
        return None
    if any(regex.search(last) for regex in lexicon.REPLACE_THAT_INTRO_RES):
        return _in_place_of(_antecedent(codes, test_source), code, span)
    m = lexicon.END_INTRO_RE.search(last)
    if m and _places(last, m):
        where = 'end' if m.group('where').lower() in ('end', 'bottom') \
            else 'start'
        scope = assertions.TEST_METHOD
        if m.group('code') is not None:
            scope = prose.name_of(codes[int(m.group('code'))]) or ''
            scope = scope.rsplit('.', 1)[-1]
        if not scope:
            return None
        return [model.change(
            kind=model.INSERT, span=span, code=code, where=where,
            target=scope, summary='add the block at the %s of %s'
            % (where, scope))]
    m = lexicon.REPLACE_CALLS_INTRO_RE.search(last)
    if m:
        spans = [codes[int(i)]
                 for i in re.findall(prose.PH, m.group('calls'))]
        if len(spans) == 1 and not prose.name_of(spans[0]):
            # "Replace `<a statement of the test>` with:"
            return _in_place_of(_antecedent(spans, test_source), code, span)
        names = [prose.name_of(code_span) for code_span in spans]
        if not names or not all(names):
            return None
        names = [n.rsplit('.', 1)[-1] for n in names]
        changes = [model.change(
            kind=model.INSERT, span=span, code=code, anchor=names[0],
            where='before', summary='add the block in place of the %s '
            'call(s)' % ', '.join(names))]
        for name in names:
            changes.append(model.change(
                kind=model.REMOVE, span=span, old=name, unit=model.CALLS,
                summary='remove the %s call (replaced by the block)' % name))
        return changes
    return None


def _places(last, m):
    """Whether the place ``m`` found in ``last`` is where a block is put.

    It is when the sentence opens with it ("At the end of the test, add:"),
    when it closes the introduction ("... at the end of the test:"), or
    when the sentence asks for the block to be put somewhere (a verb of
    lexicon.PLACE_DIRECTIVE_RE).
    """
    before = last[:m.start()].strip()
    after = last[m.end():].strip()
    if not before or not after.rstrip(':.,;!').strip():
        return True
    return bool(lexicon.PLACE_DIRECTIVE_RE.search(last))


def _adds(last):
    """Whether an introduction asks for something to be added or put."""
    return bool(lexicon.ADD_CUE.search(last) or
                lexicon.PLACE_DIRECTIVE_RE.search(last) or
                lexicon.FOREIGN_ADD_RE.search(last))


def line_placed(is_fix, last, text, span, test_source, refs, codes=()):
    """A block the introduction puts next to a line ("add after line 85:").

    Or next to a statement it quotes inline ("add after `X`:").  Only a
    block of new statements: one that repeats a statement of the test is
    a snippet, aligned with the test by its statements.  The line is
    numbered as the version the review read (refs).  None when the
    introduction names no such place or the line holds no statement.
    """
    m = next(filter(None, (regex.search(last)
                           for regex in lexicon.LINE_PLACE_RES)), None)
    # "Nach Zeile 87 einfügen:": a place by line that introduces the block
    # says enough in any language.
    introduces = m is not None and last.rstrip().endswith((':', '\uff1a'))
    if not test_source or refs is None or not (
            is_fix or _adds(last) or introduces or
            lexicon.FOREIGN_REQUEST_RE.search(last)):
        return None
    code = quotes.port_dialect(textwrap.dedent(text).strip('\n'))
    if texts.parse_python(code) is None or re.search(
            r'^\s*(?:def|class|@)', code, re.M):
        return None
    ours = set(quotes.logical_lines(test_source))
    if any(line in ours for line in quotes.logical_lines(code)):
        return None
    if m is None:
        return _statement_placed(last, codes, code, span, test_source) or \
            _added_assertions(last, code, span, test_source)
    before = m.group('where').lower() in lexicon.LINE_PLACE_BEFORE
    number = int(m.group('first' if before or not m.group('end')
                         else 'end'))
    line = numbering.our_line(number, refs.lines, refs.reviewed,
                              refs.named_version)
    found = _statement_at(test_source, line, before) if line else None
    if found is None:
        return None
    anchor, scope = found
    where = 'before' if before else 'after'
    return [model.change(
        kind=model.INSERT, span=span, code=code, anchor=anchor, where=where,
        target=scope, summary='add the block %s line %d (`%s`)' % (
            where, number, texts.short(anchor, 50)))]


def _statement_placed(last, codes, code, span, test_source):
    """A block put before or after a statement quoted inline.

    The quoted code must be one whole statement the test holds once
    (:func:`_antecedent`); None otherwise, or when the sentence places
    nothing.
    """
    if not _adds(last):
        return None
    for regex in lexicon.STATEMENT_PLACE_RES:
        for m in regex.finditer(last):
            index = int(m.group('code'))
            if index >= len(codes):
                continue
            anchor = _antecedent([codes[index]], test_source)
            if anchor is None:
                continue
            before = ' '.join(m.group('where').lower().split()) in \
                lexicon.LINE_PLACE_BEFORE
            where = 'before' if before else 'after'
            return [model.change(
                kind=model.INSERT, span=span, code=code, anchor=anchor,
                where=where, summary='add the block %s `%s`' % (
                    where, texts.short(anchor, 50)))]
    return None


def _added_assertions(last, code, span, test_source):
    """New assertions the review asks to add, with no place named.

    "Please also add:" and a block of ``assert*`` calls (or ``assert``
    statements) go at the end of the test method, where everything they
    read is bound: the outcome they check is the resize's, and nothing
    runs after it.  None for any other block, or one that reads a name the
    test method does not bind.
    """
    if not _adds(last):
        return None
    tree = texts.parse_python(code)
    if not tree.body or not all(
            isinstance(stmt, ast.Assert) or (
                isinstance(stmt, ast.Expr) and
                assertions.is_assertion_call(stmt.value))
            for stmt in tree.body):
        return None
    bound = assertions.bound_and_read(test_source).get(
        assertions.TEST_METHOD, (None,))[0]
    read = {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    if bound is None or not read <= bound | {'self'} | set(dir(builtins)):
        return None
    return [model.change(
        kind=model.INSERT, span=span, code=code, where='end',
        target=assertions.TEST_METHOD,
        summary='add the assertion(s) at the end of %s (no place named)'
        % assertions.TEST_METHOD)]


def _statement_at(source, line, before):
    """The simple statement at ``line`` of ``source``, and its def.

    A line between statements (blank, a comment) means the statement
    before it (``before`` False) or after it.  None when there is none in
    a def, or it is a compound statement.
    """
    tree = texts.parse_python(source)
    if tree is None:
        return None
    funcs = [node for node in ast.walk(tree) if isinstance(
        node, (ast.FunctionDef, ast.AsyncFunctionDef)) and
        node.body[0].lineno <= line <= node.end_lineno]
    if not funcs:
        return None
    func = max(funcs, key=lambda node: node.lineno)
    covering = [stmt for stmt in func.body
                if stmt.lineno <= line <= stmt.end_lineno]
    if covering:
        stmt = covering[0]
    elif before:
        stmt = next((stmt for stmt in func.body if stmt.lineno > line), None)
    else:
        stmt = next((stmt for stmt in reversed(func.body)
                     if stmt.end_lineno < line), None)
    if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign,
                             ast.AnnAssign, ast.Assert, ast.Pass)):
        return None
    return ast.get_source_segment(source, stmt), func.name
