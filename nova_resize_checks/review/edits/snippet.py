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


"""TEST_SNIPPET: a snippet's statements anchored in the test by content.

The snippet is split into runs: defs, classes and imports go to
:mod:`defs`; a run of plain statements is aligned with a block of the
test by :mod:`align` and replaces the region between its anchors (what it
adds is inserted, what it shows changed is replaced).  :mod:`layout` says
where the statements sit.
"""

import ast
import re
import textwrap

import libcst as cst
from libcst import metadata as cst_metadata

from nova_resize_checks.review.edits import align
from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import defs
from nova_resize_checks.review.edits import layout
from nova_resize_checks.review.read import texts


def _snippet_text(code):
    """Dedent a snippet until it parses; returns the text."""
    text = code.replace('\r\n', '\n').replace('\r', '\n')
    lines = text.split('\n')
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise common.Refused('the snippet is empty')
    text = '\n'.join(lines) + '\n'
    attempts = [textwrap.dedent(text)]
    rest = textwrap.dedent('\n'.join(lines[1:]))
    first = lines[0].strip()
    attempts.append(first + '\n' + rest + '\n')
    if first.endswith(':'):
        attempts.append(first + '\n' +
                        textwrap.indent(rest, common.TEMP_INDENT) + '\n')
    error = None
    for attempt in attempts:
        try:
            common.cst_parse(attempt)
            return attempt
        except cst.ParserSyntaxError as exc:
            error = error or str(exc).splitlines()[0]
        except (SyntaxError, ValueError) as exc:
            error = error or str(exc)
    raise common.Refused('the snippet does not parse: %s' %
                         texts.short(error, 160))


class _Index:
    """Statements of a module, their blocks and lines."""

    def __init__(self, module):
        self.module = module
        wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(cst_metadata.PositionProvider)
        found = layout.Layout(module)
        module.visit(found)
        self.blocks = found.blocks
        self.stmts = []
        self.by_block = []
        for number, (block, _indent) in enumerate(self.blocks):
            entries = []
            for index, node in enumerate(block.body):
                if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    entries.append(None)
                    continue
                dump, shape, loose = align.analyse(module, node)
                line = positions[node].start.line if node in positions else 0
                stmt = align.Stmt(number, index, node, line, dump, shape,
                                  loose, align.bare_code(module, node))
                entries.append(stmt)
                self.stmts.append(stmt)
            self.by_block.append(entries)
        self.positions = positions

    def line_of(self, node):
        pos = self.positions.get(node)
        return pos.start.line if pos else 0


def apply_snippet(source, code, partial=False):
    text = _snippet_text(code)
    _check_elision(text, source)
    module = common.cst_parse(source)
    top = layout.statements_at(text, '')
    if not top:
        raise common.Refused('the snippet has no statements')
    # Split into runs: defs/classes, imports, plain statements.
    runs = []
    for node in top:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            runs.append(('def', [node]))
        elif defs.is_import(node):
            runs.append(('import', [node]))
        elif runs and runs[-1][0] == 'stmts':
            runs[-1][1].append(node)
        else:
            runs.append(('stmts', [node]))
    reasons = []
    for kind, nodes in runs:
        if kind == 'def':
            module, reason = defs.apply_def(module, nodes[0],
                                            _apply_statements)
        elif kind == 'import':
            module, reason = defs.apply_import(module, nodes[0])
        else:
            piece = ''.join(layout.code_of(n) for n in nodes)
            module, reason = _apply_statements(module, piece, None,
                                               keep_unmatched=partial)
        reasons.append(reason)
    return module.code, '; '.join(reasons)


def _check_elision(text, source):
    for line in text.split('\n'):
        if texts.ELISION_RE.match(line) and line.strip() not in source:
            raise common.Refused(
                'the snippet elides code (%r); it cannot replace what it '
                'does not show' % texts.short(line.strip(), 60))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and node.value.value is Ellipsis):
            if not re.search(r'^\s*\.\.\.\s*$', source, re.M):
                raise common.Refused("the snippet elides code with '...'; it "
                                     "cannot replace what it does not show")


def _snips_of(piece):
    """(module, statements) of a snippet's top-level statements."""
    snippet_module = common.cst_parse(piece)
    snips = []
    for node in layout.statements_at(piece, ''):
        dump, shape, loose = align.analyse(snippet_module, node)
        snips.append(align.Stmt(-1, len(snips), node, 0, dump, shape, loose,
                                align.bare_code(snippet_module, node)))
    return snippet_module, snips


def _anchors(snips, candidates, snippet_module):
    """(grade, j, stmt) of each snippet statement with one counterpart.

    Raises :class:`common.Refused` when no statement has one.
    """
    anchors = []
    ambiguous = []
    for j, snip in enumerate(snips):
        graded = [(align.pair_grade(snip, s), s) for s in candidates]
        if not any(g for g, _s in graded):
            # Not similar to any: the one statement of its shape (the
            # only call of that method, say) that shares an argument with
            # it is still its counterpart.
            shaped = [(align.grade(snip, s), s) for s in candidates]
            shaped = [(g, s) for g, s in shaped
                      if g >= 2 and align._shares_an_argument(snip, s)]
            if len(shaped) == 1:
                graded = shaped
        best = max([g for g, _s in graded] + [0])
        if best == 0:
            continue
        tops = [s for g, s in graded if g == best]
        if len(tops) > 1:
            tops = align.closest(snip, tops)
        if len(tops) == 1:
            anchors.append((best, j, tops[0]))
        else:
            ambiguous.append((best, j, tops))
    if anchors:
        return anchors
    if ambiguous:
        best, j, tops = max(ambiguous, key=lambda a: a[0])
        raise common.Refused(
            'ambiguous: `%s` matches lines %s equally (%s)'
            % (align.describe(snippet_module, snips[j].node),
               ', '.join(str(s.line) for s in tops[:6]),
               align.GRADE_NAMES[best]))
    raise common.Refused('no anchor: no statement of the snippet '
                         '(`%s`...) has a counterpart in the test'
                         % align.describe(snippet_module, snips[0].node))


def _consistent(anchors):
    """The anchors that agree with the best ones on block and order."""
    accepted = []
    for grade, j, stmt in sorted(anchors, key=lambda a: (-a[0], a[1])):
        conflict = None
        for _g, j2, s2 in accepted:
            if (s2.block != stmt.block or s2.index == stmt.index
                    or (j < j2) != (stmt.index < s2.index)):
                conflict = s2
                break
        if conflict is None:
            accepted.append((grade, j, stmt))
        elif grade == 3 and any(g == 3 for g, _j, _s in accepted):
            raise common.Refused(
                'the snippet\'s statements are found apart in the test '
                '(lines %d and %d); cannot tell where it belongs'
                % (conflict.line, stmt.line))
    accepted.sort(key=lambda a: a[1])
    return accepted


def _contiguous(accepted, snips):
    """The anchors without a changed one that skips statements of the test.

    A snippet shows consecutive code: two of its statements next to each
    other pair with two statements of the test that have others between
    them only when both are identical (then what lies between is shown
    removed).  A statement shown changed whose counterpart lies further
    away is not that statement's new form but a new statement: "add this
    after line 85" must not delete lines 86-97 on its way to a similar
    assertion at line 98.  Except when the changed statement is its
    counterpart extended (the same call, its arguments kept and more
    added: ``assertEqual(a, b)`` -> ``assertEqual(a, b, 'msg')``): that is
    its new form, and the statements between, which the snippet does not
    show, stay.  Returns ``(anchors, keep the statements between)``.
    """
    kept = list(accepted)
    keep_between = False
    changed = True
    while changed and len(kept) > 1:
        changed = False
        for (g1, j1, s1), (g2, j2, s2) in zip(kept, kept[1:]):
            if min(g1, g2) == 3 or s2.index - s1.index <= j2 - j1:
                continue
            # The less alike of the two (the later on a tie).
            g, j, stmt = (g1, j1, s1) if g1 < g2 else (g2, j2, s2)
            if align.extends(snips[j], stmt):
                keep_between = True
                continue
            kept.remove((g, j, stmt))
            changed = True
            break
    return kept, keep_between


def _pairs(accepted, snips, entries):
    """{snippet index: (block index, grade)}: anchors, then neighbours."""
    pairs = {j: (stmt.index, grade) for grade, j, stmt in accepted}
    # Extend outwards while neighbours correspond.
    j, p = accepted[0][1] - 1, accepted[0][2].index - 1
    while j >= 0 and p >= 0 and entries[p] is not None:
        g = align.pair_grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j - 1, p - 1
    j, p = accepted[-1][1] + 1, accepted[-1][2].index + 1
    while j < len(snips) and p < len(entries) and entries[p] is not None:
        g = align.pair_grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j + 1, p + 1
    # Pair up what lies between consecutive anchors.
    ordered = sorted(pairs.items())
    for (j1, (p1, _g1)), (j2, (p2, _g2)) in zip(ordered, ordered[1:]):
        for j, (p, g) in align.align(snips[j1 + 1:j2], entries[p1 + 1:p2],
                                     j1 + 1, p1 + 1).items():
            pairs[j] = (p, g)
    return pairs


def _apply_statements(module, piece, only_block, keep_unmatched=False):
    """Replace the best unique region of a block with ``piece``.

    With ``keep_unmatched`` the region's statements that no statement of
    ``piece`` corresponds to stay, in order, instead of going.
    """
    index = _Index(module)
    snippet_module, snips = _snips_of(piece)
    allowed, candidates = _candidates(index, only_block)

    # Rung 1: the whole snippet is already there.
    same = _verbatim(index, snips, allowed)
    if same:
        return module, ('statements identical to the test at line(s) %s '
                        '(no change)' % ', '.join(str(x) for x in same))

    # Rung 2: one try/with around a run of the test's statements.
    wrapped = _wrapped_run(index, snippet_module, snips, allowed)
    if wrapped is not None:
        number, lo, hi = wrapped
        block, indent = index.blocks[number]
        entries = index.by_block[number]
        wrapper = layout.keep_leading(
            layout.statements_at(piece, indent)[0], block.body[lo])
        body = list(block.body[:lo]) + [wrapper] + list(block.body[hi + 1:])
        module = _with_body(module, block, body)
        return module, ('wrapped line(s) %d-%d in `%s`' % (
            entries[lo].line, _last_line(index, entries[hi].node),
            align.describe(snippet_module, snips[0].node)))

    # Rung 3: anchors, and what corresponds around them.
    accepted, keep_between = _contiguous(
        _consistent(_anchors(snips, candidates, snippet_module)), snips)
    block_no = accepted[0][2].block
    entries = index.by_block[block_no]
    pairs = _pairs(accepted, snips, entries)
    lo = min(p for p, _g in pairs.values())
    hi = max(p for p, _g in pairs.values())
    block, indent = index.blocks[block_no]
    new_nodes = _new_nodes(piece, indent, pairs, block)
    removed = _unpaired(index, block, entries, pairs, lo, hi)
    if (keep_unmatched or keep_between) and removed:
        new_nodes = _interleave(new_nodes, pairs, block.body, lo, hi)
        removed = []
    body = list(block.body[:lo]) + new_nodes + list(block.body[hi + 1:])
    _check_bound_first(body, {lo + j for j in range(len(new_nodes))
                              if j not in pairs and
                              not _placed_by_review(snips, pairs, j)})
    module = _with_body(module, block, body)
    return module, _region_reason(index, accepted, entries, (lo, hi),
                                  len(snips) - len(pairs), removed)


def _wrapped_run(index, snippet_module, snips, allowed):
    """``(block, lo, hi)`` of the run one ``try``/``with`` wraps, or None.

    A snippet that is one ``try`` or ``with`` statement whose body is,
    statement for statement, a run of two or more statements of the test
    found once (``try:`` around the three placement checks) is their new
    form: the run goes into it.  One wrapped statement is the aligner's
    (:func:`.align.pair_grade`).
    """
    if len(snips) != 1 or not isinstance(snips[0].node, (cst.Try,
                                                         cst.With)):
        return None
    inner = []
    for node in getattr(snips[0].node.body, 'body', ()):
        dump, shape, loose = align.analyse(snippet_module, node)
        inner.append(align.Stmt(-1, len(inner), node, 0, dump, shape, loose))
    if len(inner) < 2:
        return None
    places = _windows(index, inner, allowed)
    if len(places) != 1:
        return None
    number, start = places[0]
    return number, start, start + len(inner) - 1


def _candidates(index, only_block):
    """``(allowed block numbers or None, statements to anchor on)``."""
    allowed = None
    if only_block is not None:
        allowed = {n for n, (b, _i) in enumerate(index.blocks)
                   if b is only_block}
    return allowed, [s for s in index.stmts
                     if allowed is None or s.block in allowed]


def _new_nodes(piece, indent, pairs, block):
    """The snippet's statements, laid out at ``indent``.

    One paired with a statement of ``block`` keeps that statement's
    leading comments (or is that statement, when they are the same).
    """
    new_nodes = []
    for j, node in enumerate(layout.statements_at(piece, indent)):
        if j in pairs:
            p, g = pairs[j]
            old = block.body[p]
            new_nodes.append(old if g == 3 else layout.keep_leading(node, old))
        else:
            new_nodes.append(node)
    return new_nodes


def _with_body(module, block, body):
    """``module`` with ``block``'s statements replaced by ``body``."""
    if isinstance(block, cst.Module):
        return module.with_changes(body=body)
    return module.deep_replace(block, block.with_changes(body=body))


def _region_reason(index, accepted, entries, region, inserted, removed):
    """What replacing the ``region`` (lo, hi) of a block did, in words."""
    lo, hi = region
    anchor_grade, _anchor_j, anchor = accepted[0]
    reason = ('replaced line(s) %d-%d, anchored on `%s` at line %d (%s)'
              % (entries[lo].line, _last_line(index, entries[hi].node),
                 align.describe(index.module, anchor.node), anchor.line,
                 align.GRADE_NAMES[anchor_grade]))
    if inserted:
        reason += '; inserted %d new statement(s)' % inserted
    if removed:
        reason += '; removed statement(s) at line(s) %s' % ', '.join(
            str(x) for x in removed)
    return reason


def _names(node):
    """(names read, names bound) by a statement."""
    tree = texts.parse_python(layout.code_of(node))
    read, bound = set(), set()
    for sub in ast.walk(tree) if tree is not None else ():
        if isinstance(sub, ast.Name):
            (bound if isinstance(sub.ctx, ast.Store) else read).add(sub.id)
    return read, bound


def _placed_by_review(snips, pairs, j):
    """Whether the snippet itself puts its new statement ``j`` in place.

    It does when the statement right before it (or right after it) in
    the snippet is identical to a statement of the test, with no elision
    ("# ...") between them: the new statement's place is then what the
    review wrote, whatever it reads.
    """
    def identical(k):
        return 0 <= k < len(snips) and pairs.get(k, (None, 0))[1] == \
            align.IDENTICAL

    if j >= len(snips):
        return False
    return (identical(j - 1) and not _elided_before(snips[j])) or (
        identical(j + 1) and not _elided_before(snips[j + 1]))


def _elided_before(snip):
    lines = getattr(snip.node, 'leading_lines', ())
    return any(line.comment is not None and
               texts.is_elision(line.comment.value) for line in lines)


def _check_bound_first(body, inserted):
    """Refuse a new statement put before the statement binding what it reads.

    ``inserted``: indexes in ``body`` of the snippet's new statements.
    Reading a name the block binds only later would be a NameError that
    the review did not write: the snippet was placed wrongly.
    """
    names = [_names(node) for node in body]
    for k in sorted(inserted):
        before = set().union(*(b for _r, b in names[:k]))
        later = set().union(*(b for _r, b in names[k + 1:]))
        early = sorted((names[k][0] & later) - before - names[k][1])
        if early:
            raise common.Refused(
                'the snippet\'s new statement `%s` would read %s before the '
                'test binds it; cannot tell where it belongs' % (
                    texts.short(layout.code_of(body[k]).strip(), 60),
                    ', '.join('`%s`' % name for name in early)))


def _unpaired(index, block, entries, pairs, lo, hi):
    """Lines of the region's statements no snippet statement pairs with.

    A def inside the region is never replaced by statements: refused.
    """
    paired = {p for p, _g in pairs.values()}
    for p in range(lo, hi + 1):
        if p not in paired and entries[p] is None:
            raise common.Refused('the snippet would replace the region of '
                                 'lines %d-%d, which holds def %s; refusing'
                                 % (entries[lo].line, entries[hi].line,
                                    block.body[p].name.value))
    return [entries[p].line if entries[p] else index.line_of(block.body[p])
            for p in range(lo, hi + 1) if p not in paired]


def _interleave(new_nodes, pairs, body, lo, hi):
    """``new_nodes`` with the unpaired statements of the region kept.

    Each unpaired statement of ``body[lo:hi+1]`` goes just before the
    first new node paired with a statement after it.
    """
    paired = {p for p, _g in pairs.values()}
    kept = [p for p in range(lo, hi + 1) if p not in paired]
    out = []
    for j, node in enumerate(new_nodes):
        if j in pairs:
            p = pairs[j][0]
            while kept and kept[0] < p:
                out.append(body[kept.pop(0)])
        out.append(node)
    out.extend(body[p] for p in kept)
    return out


def _last_line(index, node):
    pos = index.positions.get(node)
    return pos.end.line if pos else 0


def _verbatim(index, snips, allowed):
    """First lines of the places where ``snips`` occur verbatim."""
    return [index.by_block[number][start].line
            for number, start in _windows(index, snips, allowed)]


def _windows(index, snips, allowed=None):
    """(block, start) of each place where ``snips`` occur verbatim."""
    size = len(snips)
    if not size or any(s.dump is None for s in snips):
        return []
    found = []
    for number, entries in enumerate(index.by_block):
        if allowed is not None and number not in allowed:
            continue
        for start in range(len(entries) - size + 1):
            window = entries[start:start + size]
            if all(e is not None and e.dump == s.dump
                   for e, s in zip(window, snips)):
                found.append((number, start))
    return found


def remove_statement(source, old):
    """Remove the statement(s) ``old`` where they occur verbatim, once."""
    return _splice_statement(source, old, None)


def replace_statement(source, old, new):
    """Put the statement(s) ``new`` where ``old`` occurs verbatim, once.

    "Replace `x = f(a)` with `x = f(b)`": a whole statement, which an
    expression replacement cannot take.
    """
    return _splice_statement(source, old, new)


def _splice_statement(source, old, new):
    """Remove ``old`` (found verbatim, once), putting ``new`` there."""
    text = _snippet_text(old)
    module = common.cst_parse(source)
    index = _Index(module)
    snippet_module = common.cst_parse(text)
    snips = []
    for node in snippet_module.body:
        dump, shape, loose = align.analyse(snippet_module, node)
        snips.append(align.Stmt(-1, len(snips), node, 0, dump, shape, loose))
    found = _windows(index, snips)
    what = align.describe(snippet_module, snips[0].node) if snips else old
    if not found:
        raise common.Refused('statement `%s` is not in the test' % what)
    if len(found) > 1:
        raise common.Refused(
            'statement `%s` occurs %d times (lines %s); cannot tell which '
            'to remove' % (what, len(found), ', '.join(
                str(index.by_block[b][i].line) for b, i in found)))
    number, start = found[0]
    block = index.blocks[number][0]
    entries = index.by_block[number]
    first = entries[start].line
    last = _last_line(index, entries[start + len(snips) - 1].node)
    added = list(common.cst_parse(_snippet_text(new)).body) \
        if new is not None else []
    replaced = block.body[start]
    if added and hasattr(replaced, 'leading_lines'):
        # The comment and blank lines above the old statement stay.
        added[0] = added[0].with_changes(
            leading_lines=replaced.leading_lines)
    body = (list(block.body[:start]) + added
            + list(block.body[start + len(snips):]))
    if isinstance(block, cst.Module):
        module = module.with_changes(body=body)
    else:
        module = module.deep_replace(block, block.with_changes(body=body))
    module = module.visit(common.FillEmpty())
    if new is not None:
        return module.code, 'replaced statement `%s` (lines %d-%d)' % (
            what, first, last)
    return module.code, 'removed statement `%s` (lines %d-%d)' % (
        what, first, last)
