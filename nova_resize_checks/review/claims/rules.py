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


"""The sentence rules: what one sentence of prose asks to change.

Each rule is a function ``rule(sentence) -> None`` that reads a
:class:`Sentence` and appends to its ``changes`` (or to ``unparsed``);
:data:`SENTENCE_RULES` is the chain, run in order, as markdown-it's
``Ruler`` runs its rules.  Rules see what earlier rules made (a
replacement makes a later removal of the same code moot).
"""

import ast
import dataclasses
import re

from nova_resize_checks.review.claims import fixes
from nova_resize_checks.review.claims import header_rules
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import places
from nova_resize_checks.review.claims import removal_rules
from nova_resize_checks.review.claims import renaming
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes


def _replace_changes(masked, codes, span, test_text='', nova_paths=(),
                     test_lines=()):
    """``replace A with B`` / ``use B instead of A`` / ``change A to B``.

    A code span after "in"/"inside"/"within" later in the sentence (or a
    leading "In f, ...") names where (a def); without one the whole test
    is meant.  When ``A`` is not in the test and the review names one nova
    file, the replacement is made in that file.
    """
    changes = []
    lead_scope = _leading_scope(masked, codes)
    for regex in lexicon.REPLACE_RES:
        for m in regex.finditer(masked):
            old = codes[int(m.group('old'))].strip()
            new = codes[int(m.group('new'))].strip()
            if not old or old == new:
                continue
            rebound = rebinding(old, new)
            if rebound and re.search(r'\b%s\b' % re.escape(rebound[0]),
                                     test_text or ''):
                # "Replace `x = f()` with `y = f()`": the local is renamed,
                # its uses with it (a reviewer never asks for a name
                # nothing binds any more).
                changes.append(renaming.rename_change(span, *rebound,
                                                      None))
                continue
            scope = _replace_scope(masked, codes, m.end(), lead_scope,
                                   (old, new), test_lines)
            changes.append(_replacement(old, new, scope, span, test_text,
                                        nova_paths))
    return changes


def rebinding(old, new):
    """``(x, y)`` when ``new`` only renames what ``old`` binds, else None.

    Both must be one assignment to one plain name, with the same value.
    """
    trees = [texts.parse_python(code) for code in (old, new)]
    if not all(t is not None and len(t.body) == 1 and
               isinstance(t.body[0], ast.Assign) and
               len(t.body[0].targets) == 1 and
               isinstance(t.body[0].targets[0], ast.Name) for t in trees):
        return None
    before, after = (t.body[0] for t in trees)
    if ast.dump(before.value) != ast.dump(after.value) or \
            before.targets[0].id == after.targets[0].id:
        return None
    return before.targets[0].id, after.targets[0].id


def _leading_scope(masked, codes):
    """The def a leading "In f, ..." names, or None."""
    lead = lexicon.LEADING_SCOPE_RE.match(masked)
    if not lead:
        return None
    if lead.group('code'):
        return prose.name_of(codes[int(lead.group('code'))])
    return lead.group('name') if prose.clearly_identifier(
        lead.group('name') or '') else None


def _replace_scope(masked, codes, end, lead_scope, old_new, test_lines):
    """Where a replacement matched up to ``end`` is made: a Target, or None.

    A def ("in `f`"), its call sites ("in the call to `f`"), the leading
    scope, or one line of the test.
    """
    scope, kind = lead_scope, model.DEF
    named, where = places.named_scope(masked, codes, end)
    if where:
        scope = named
        if scope and re.search(r'\bcall', where.group(0), re.I):
            # "in the call to `f`": the call sites, not the def.
            kind = model.CALLS
    if scope and '.' in scope:
        scope = scope.rsplit('.', 1)[1]
    if scope:
        return model.Target(scope=kind, name=scope)
    return _line_scope(masked, codes, end, old_new, test_lines)


def _line_scope(masked, codes, end, old_new, test_lines):
    """The Target of the one line of the test a replacement is about.

    "replace A with B in the resize request": the one line of the test
    holding A that the phrase describes; "use B instead of A, i.e.
    `<statement>`": the line the statement given in full is the new form
    of.  None when neither tells.
    """
    old, new = old_new
    line = places.phrase_line(masked[end:], old, test_lines) or \
        places.line_of_statement(
            prose.codes_in(masked, codes),
            old, new, test_lines)
    return model.Target(scope=model.LINE, line=line) if line else None


def _replacement(old, new, scope, span, test_text, nova_paths):
    """The REPLACE change of ``old`` by ``new`` within Target ``scope``.

    Made in the one nova file the review names when ``old`` is not in the
    test.
    """
    target = scope or model.Target()
    if len(nova_paths) == 1 and test_text and \
            ' '.join(old.split()) not in test_text:
        target = dataclasses.replace(target, path=nova_paths[0])
    return model.change(
        kind=model.REPLACE, span=span, old=old, new=new,
        target=target,
        summary='replace %s with %s%s' % (
            texts.short(old, 40), texts.short(new, 40),
            ' in %s' % scope if scope else ''))


def _insert_changes(masked, codes, span):
    """``add X after/before Y [in Z]`` (and ``after Y, add X``).

    ``X`` must be statements; ``Y`` a statement of the test or the name of
    a function whose call is the anchor.  A code span after "in" names the
    def; without one the whole test is searched (the anchor must be
    unique).
    """
    found = []
    for regex in (lexicon.INSERT_RE, lexicon.INSERT_FIRST_RE):
        for m in regex.finditer(masked):
            found.append((m, int(m.group('code')), m.group('where').lower(),
                          int(m.group('anchor'))))
    changes = []
    for m, what, where, anchor in found:
        code, anchor_code = codes[what].strip(), codes[anchor].strip()
        if not code or texts.parse_python(code) is None or not anchor_code:
            continue
        scope, _ = places.named_scope(masked, codes, m.end())
        changes.append(model.change(
            kind=model.INSERT, span=span, code=code, anchor=anchor_code,
            where=where, target=scope or 'test',
            summary='add %s %s %s%s' % (
                texts.short(code, 40), where, texts.short(anchor_code, 40),
                ' in %s' % scope if scope else '')))
    return changes


class Sentence(object):
    """One sentence of prose, and what the rules have made of it so far.

    ``masked`` is the sentence with its code spans replaced by numbered
    placeholders (``codes`` holds them); ``renamed`` the names renames of
    the same block touch; ``refs`` the reference sources
    (:class:`.extract.Refs`); ``header`` the lines ``(first, end)`` of the
    gerrit comment header ("Line 55:", "Lines 84-87:") that opens the
    sentence's paragraph, or None.  Rules append to ``changes`` and
    ``unparsed``.
    """

    def __init__(self, masked, codes, span, renamed, refs, unparsed,
                 header=None, earlier=()):
        self.masked, self.codes, self.span = masked, codes, span
        self.renamed, self.refs, self.unparsed = renamed, refs, unparsed
        self.header = header
        # The code spans named before this sentence, in its paragraph and
        # the one before it, nearest last.
        self.earlier = list(earlier)
        self.changes = []

    def code(self, group):
        return self.codes[int(group)]

    @property
    def test_lines(self):
        """The test's own lines (they come first in ``refs.lines``)."""
        return self.refs.lines[0] if self.refs.lines else []

    def our_line(self, number):
        """Our line holding line ``number`` of the version the review read.

        See :func:`.numbering.our_line`; the number itself when no known
        numbering says otherwise.
        """
        return numbering.our_line(number, self.refs.lines,
                                  self.refs.reviewed,
                                  self.refs.named_version) or number

    @property
    def own_codes(self):
        """The code spans written in this sentence.

        ``codes`` holds the whole block's.
        """
        return prose.codes_in(self.masked, self.codes)

    @property
    def replaced(self):
        return {c.old for c in self.changes if c.kind == model.REPLACE}


def replace_rule(s):
    """"replace A with B", "use B instead of A", "change A to B".

    "In line N, replace A with B" is a line change (:func:`line_subst_rule`),
    not a replacement throughout the test.
    """
    if any(regex.search(s.masked) for regex in lexicon.LINE_SUBST_RES):
        return
    ref_lines = s.refs.lines
    s.changes.extend(_replace_changes(
        s.masked, s.codes, s.span, s.refs.test_text, s.refs.nova_paths,
        ref_lines[0] if ref_lines else ()))


def insert_rule(s):
    """"add X after/before Y [in Z]"."""
    s.changes.extend(_insert_changes(s.masked, s.codes, s.span))


def line_change_rule(s):
    """"change line N to `X`", with N possibly another version's line."""
    for regex in lexicon.LINE_CHANGE_RES:
        for m in regex.finditer(s.masked):
            line = int(m.group('line'))
            code = quotes.port_dialect(fixes.strip_own_number(
                s.code(m.group('code')), line))
            here, version = numbering.line_of_known_version(
                line, code, s.refs.lines, s.refs.reviewed,
                s.refs.named_version)
            code = _as_method_call(code, s.refs.lines, here or line)
            s.changes.append(model.change(
                kind=model.LINE_CHANGE, span=s.span, code=code,
                line=here or line, summary='replace line %d%s' % (
                    line, '' if not here else
                    ' of the reviewed version (line %d here)' % here
                    if version == 'reviewed' else
                    ' of upstream\'s %s version (line %d here)'
                    % (version, here))))


def _as_method_call(code, ref_lines, line):
    """``assertX(...)`` as ``self.assertX(...)`` where the test has it so.

    Comments often drop ``self.``: when line ``line`` of the test calls an
    assertion (or the same helper) on ``self``, so does its new form.
    """
    m = re.match(r'\s*(assert\w*|_\w+)\(', code)
    test = ref_lines[0] if ref_lines else ()
    if not m or not 1 <= line <= len(test):
        return code
    name, old = m.group(1), test[line - 1]
    if 'self.%s(' % name in old or (name.startswith('assert') and
                                    'self.assert' in old):
        return code.replace(m.group(1), 'self.' + m.group(1), 1)
    return code


def line_range_rule(s):
    """"change lines N-M to `X`"."""
    for m in lexicon.LINE_RANGE_CHANGE_RE.finditer(s.masked):
        first, end = int(m.group('first')), int(m.group('end'))
        s.changes.extend(fixes.line_changes(
            first, end, quotes.port_dialect(
                fixes.strip_own_number(s.code(m.group('code')), first)),
            s.span, 'replace lines %d-%d' % (first, end)))


def line_subst_rule(s):
    """"on line N replace `A` with `B`"."""
    for regex in lexicon.LINE_SUBST_RES:
        for m in regex.finditer(s.masked):
            line = int(m.group('line'))
            old, new = s.code(m.group('old')), s.code(m.group('new'))
            original = numbering.reference_line(s.refs.lines, line, old)
            if original is None:
                s.unparsed.append(model.Finding(
                    model.UNPARSED_CLAIM,
                    '`%s` is not on line %d of any reference source, so '
                    '"replace it with `%s`" cannot be applied' %
                    (old, line, new), s.span))
                continue
            s.changes.append(model.change(
                kind=model.LINE_CHANGE, span=s.span, old=original,
                code=original.replace(old, new, 1), line=line,
                summary='on line %d replace %s with %s' %
                (line, texts.short(old, 40), texts.short(new, 40))))


def line_remove_rule(s):
    """"remove line N" and "remove lines N-M".

    The numbers count the lines of the version the review read: with one
    known (:func:`.numbering.our_range`), they are carried onto ours, and
    lines ours does not hold the same way are not removed.
    """
    for regex in lexicon.LINE_REMOVE_RES:
        for m in regex.finditer(s.masked):
            first = int(m.group('first'))
            end = int(m.group('end') or first)
            if not first <= end <= first + lexicon.MAX_LINE_RANGE:
                end = first
            if s.refs.reviewed is not None or s.refs.named_version:
                ours = numbering.our_range(first, end, s.refs.lines,
                                           s.refs.reviewed,
                                           s.refs.named_version)
                if ours is None:
                    continue
                first, end = ours
            for n in range(first, end + 1):
                s.changes.append(model.change(
                    kind=model.REMOVE, span=s.span, line=n,
                    summary='remove line %d' % n))


def inline_proposal_rule(s):
    """A statement given inline as the better form of a line of the test.

    Only when nothing else came of the sentence; "Line 84 `...`: ..."
    describes code, it proposes nothing.
    """
    if not s.changes and lexicon.INLINE_PROPOSAL_CUE.search(s.masked) and \
            not lexicon.LINE_REF_RE.search(s.masked):
        s.changes.extend(_inline_proposals(s.masked, s.codes, s.span,
                                           s.refs.test_text))


def inline_import_rule(s):
    """"add `import os`"."""
    if (lexicon.ADD_CUE.search(s.masked) or
            lexicon.FOREIGN_ADD_RE.search(s.masked)) and \
            not lexicon.LINE_REF_RE.search(s.masked):
        s.changes.extend(_inline_imports(s.masked, s.codes, s.span,
                                         s.refs.test_text))


# The chain, in order: a rule sees what the rules before it made.
SENTENCE_RULES = (
    replace_rule,
    insert_rule,
    line_change_rule,
    line_range_rule,
    line_subst_rule,
    line_remove_rule,
    removal_rules.removal_rule,
    removal_rules.foreign_removal_rule,
    removal_rules.anaphoric_removal_rule,
    removal_rules.header_removal_rule,
    header_rules.header_line_change_rule,
    header_rules.header_literal_rule,
    inline_proposal_rule,
    inline_import_rule,
)


def sentence_changes(masked, codes, span, renamed, refs, unparsed,
                     header=None, earlier=()):
    """Line changes, replacements and removals asked for by one sentence."""
    sentence = Sentence(masked, codes, span, renamed, refs, unparsed,
                        header, earlier)
    for rule in SENTENCE_RULES:
        rule(sentence)
    return sentence.changes


def _inline_imports(masked, codes, span, test_text):
    """Import statements an "add" sentence gives inline.

    "Add `import os` at the top": snippets, which add imports where
    imports go.
    """
    found = []
    for m in re.finditer(prose.PH, masked):
        code = codes[int(m.group(1))].strip()
        if not re.match(r'(?:import|from)\s', code) or \
                ' '.join(code.split()) in test_text or \
                quotes.is_quotation(code, ()):
            continue
        tree = texts.parse_python(code)
        if tree is None or not all(isinstance(node, (ast.Import,
                                                     ast.ImportFrom))
                                   for node in tree.body):
            continue
        found.append(model.change(
            kind=model.TEST_SNIPPET, span=span, code=code + '\n',
            summary='add %s' % texts.short(code, 60)))
    return found


def _inline_proposals(masked, codes, span, test_text):
    """Single statements in inline code that a sentence proposes.

    A span is a proposal when it is a whole statement with a call or an
    assignment that the test does not already contain (it is then no
    quotation); it is anchored to its closest counterpart like any
    snippet.
    """
    found = []
    for m in re.finditer(prose.PH, masked):
        code = codes[int(m.group(1))].strip()
        if not texts.one_line_statement(code) or prose.name_of(code):
            continue
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if len(tree.body) != 1 or not isinstance(
                tree.body[0], (ast.Expr, ast.Assign, ast.AugAssign,
                               ast.Assert, ast.Return)) or (
                isinstance(tree.body[0], ast.Expr) and
                not isinstance(tree.body[0].value, ast.Call)):
            continue
        if any(isinstance(node, ast.Constant) and node.value is Ellipsis
               for node in ast.walk(tree)):
            # "`assertFlavorMatchesAllocation(self.flavor2, ...)` would
            # pass": an elided mention, not a statement to run.
            continue
        if ' '.join(quotes.port_dialect(code).split()) in test_text or \
                quotes.is_quotation(code, ()):
            # Already in the test, or a line of an upstream version: a
            # quotation, not a proposal.
            continue
        found.append(model.change(
            kind=model.TEST_SNIPPET, span=span,
            code=quotes.port_dialect(code) + '\n',
            summary='inline statement %s' % texts.short(code, 60)))
    return found
