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


"""A code block offered as a fix, turned into a change and given its place.

A block is a change only when the prose before it introduces it as one
and it is not a quotation of a known version; its introduction ("replace
`X` with:", "change line N to:", "at the end of the test") says where it
goes.
"""

import difflib
import re
import textwrap

from nova_resize_checks import assertions
from nova_resize_checks.review.claims import language
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review import model
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes


def _intro_blocks(blocks, k):
    """The (up to two) prose blocks just before block ``k``."""
    found = []
    j = k - 1
    while j >= 0 and len(found) < 2:
        b = blocks[j]
        if b.kind == 'prose':
            found.append(j)
        elif not (b.kind == 'listing' and b.info == 'inline'):
            break
        j -= 1
    return found


def introduction(blocks, k):
    """``(is_fix, last_sentence_masked, intro_text, prose_indexes, codes)``.

    ``codes``: the code spans of the masked last sentence.
    """
    idx = _intro_blocks(blocks, k)
    if not idx:
        return False, '', '', idx, []
    nearest = blocks[idx[0]].text
    sentences, codes = prose.sentences_of(nearest)
    last = sentences[-1] if sentences else ''
    whole = '\n'.join(blocks[i].text for i in reversed(idx))
    if lexicon.FIX_RE.search(last) or _line_intro(last) or \
            lexicon.FOREIGN_REQUEST_RE.search(last):
        return True, last, whole, idx, codes
    if lexicon.QUOTE_RE.search(last):
        return False, last, whole, idx, codes
    if lexicon.FIX_RE.search(whole) and not lexicon.QUOTE_RE.search(whole):
        return True, last, whole, idx, codes
    return False, last, whole, idx, codes


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


def _continued_in_place(block_after, code, span, test_source):
    """A block whose sentence ends after it with "instead of `X`"."""
    if block_after is None or block_after.kind != 'prose':
        return None
    masked, codes = prose.mask_code(block_after.text)
    m = lexicon.CONTINUED_INSTEAD_RE.match(masked)
    if not m or texts.parse_python(code) is None:
        return None
    return _in_place_of(_antecedent([codes[int(m.group(1))]], test_source),
                        code, span)


def _placed_block(last, codes, code, span, test_source=''):
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
    if m:
        where = 'end' if m.group(1).lower() in ('end', 'bottom') else 'start'
        scope = assertions.TEST_METHOD
        if m.group(3) is not None:
            scope = prose.name_of(codes[int(m.group(3))]) or ''
            scope = scope.rsplit('.', 1)[-1]
        if not scope:
            return None
        return [model.change(
            kind=model.INSERT, span=span, code=code, where=where,
            target=scope, summary='add the block at the %s of %s'
            % (where, scope))]
    m = lexicon.REPLACE_CALLS_INTRO_RE.search(last)
    if m:
        spans = [codes[int(i)] for i in re.findall(prose.PH, m.group(1))]
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


def _line_intro(last):
    for regex in lexicon.LINE_INTRO_RES:
        m = regex.search(last.strip())
        if m:
            first = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else first
            return first, end
    return None


def line_changes(first, end, code, span, summary):
    changes = [model.change(kind=model.LINE_CHANGE, span=span, code=code,
                            line=first, summary=summary)]
    if first < end <= first + lexicon.MAX_LINE_RANGE:
        for n in range(first + 1, end + 1):
            changes.append(model.change(
                kind=model.REMOVE, span=span, line=n,
                summary='remove line %d (replaced with line %d)' %
                (n, first)))
    return changes


def strip_own_number(code, line):
    m = re.match(r'\s*%d(?:[ \t]|$)' % line, code)
    return code[m.end():] if m else code


def code_changes(block, intro, refs_norm, findings, test_source='',
                 block_after=None, refs=None):
    """Changes from one fence or listing block.

    ``block_after``: the block that follows (the sentence may go on after
    the code: "Use <block> instead of `X`").
    """
    is_fix, last, whole, _, last_codes = intro
    text = block.text
    lang = language.code_language(text, block.info)
    if lang == 'diff':
        changes = []
        for path, section in diffs.split(text):
            kind, target = language.diff_target(path, whole)
            if kind != model.NOVA_DIFF:
                section = quotes.port_dialect(section)
            changes.append(model.change(
                kind=kind, span=block.span, target=target, code=section,
                summary='unified diff against %s' % (path or target)))
        if not changes:
            # A diff is a proposal; one that changes nothing (cut short,
            # or context only) cannot be applied.
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'a diff that changes no line (no added or removed lines '
                'were read): %s' % texts.short(text, 80), block.span))
        return changes
    if lang in ('other', 'prose'):
        if is_fix or lexicon.CUE_RE.search(last):
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'code introduced as a fix is not Python (%s): %s' %
                (language.fence_language(block.info) or lang,
                 texts.short(text)),
                block.span))
        return []
    lines = _line_intro(last) if is_fix else None
    if lines:
        first, end = lines
        code = quotes.port_dialect(textwrap.dedent(text).strip('\n'))
        here = None
        if refs is not None and first == end:
            here, _version = numbering.line_of_known_version(
                first, code, refs.lines, refs.reviewed, refs.named_version)
        summary = 'replace line(s) %d-%d with the block' % lines
        if here:
            summary += ' (line %d here)' % here
            first = end = here
        return line_changes(first, end, code, block.span, summary)
    placed = _placed_block(last, last_codes,
                           textwrap.dedent(text).strip('\n'), block.span,
                           test_source) or _continued_in_place(
        block_after, textwrap.dedent(text).strip('\n'), block.span,
        test_source)
    if placed:
        return placed
    # Content decides: code that is, normalised, a piece of a version of
    # the test is a quotation; any other code is a proposal, whatever the
    # sentence before it says.  Only a numbered listing that the review
    # presents as the existing code (and not as a fix) is read as a
    # walk-through of code this tool does not know.
    # Code that is a run of another version of the test (upstream's
    # installed copy, the reviewed version, a version known by
    # fingerprint) is a quotation unless the review presents it as the
    # fix: a review of the 2019 recreate version may offer upstream's
    # later method as the correction (wording settles that tie).  A run of
    # the test itself is always a quotation.
    offered = is_fix and not lexicon.QUOTE_RE.search(
        last) and bool(test_source)
    against = ([quotes.comparable_lines(test_source)] if offered
               else refs_norm)
    if quotes.is_quotation(text, against, known=not offered):
        return []
    if not is_fix and block.kind == 'listing' and block.numbers and \
            lexicon.QUOTE_RE.search(whole or ''):
        return []
    code = quotes.port_dialect(textwrap.dedent(text).strip('\n') + '\n')
    full = (re.search(r'^class\s+\w+', code, re.M) and
            re.search(r'^[ \t]+def\s+test\w*\s*\(', code, re.M))
    kind = model.TEST_FULL if full else model.TEST_SNIPPET
    line = 0
    where = 'fenced code'
    if block.kind == 'listing' and block.numbers:
        line = block.numbers[0]
        where = 'numbered listing, lines %d-%d' % (block.numbers[0],
                                                   block.numbers[-1])
    partial = not full and bool(test_source) and \
        quotes.restates_other_version(code, test_source)
    extra = {} if full else {'line': line, 'partial': partial}
    return [model.change(kind=kind, span=block.span, code=code, **extra,
                         summary='%s from %s%s' % (
                             'whole test' if full else 'snippet', where,
                             ' (restating another version of the test)'
                             if partial else ''))]


def joined(blocks, q, k):
    """Whether prose says "replace <block q> with <block k>"."""
    between = blocks[q + 1:k]
    if len(between) != 1 or between[0].kind != 'prose' or q == 0:
        return False
    before = blocks[q - 1]
    return bool(before.kind == 'prose' and
                lexicon.REPLACE_BEFORE_QUOTE_RE.search(before.text) and
                lexicon.WITH_BETWEEN_RE.match(between[0].text.strip()))


def rewrite_of_quotation(quote, change, test_source, joined=False):
    """A snippet that rewrites the block the review quoted just before.

    When the code block before a proposed snippet quotes a run of the test
    and the snippet shares statements with it, and every statement of the
    snippet that the test has is in that run, the snippet is the quoted
    run rewritten: what the quotation has and the snippet drops goes.  It
    becomes a diff from the quotation to the snippet (applied by content
    like any diff).  So does a snippet the prose puts in the quotation's
    place (``joined``: "replace <quotation> with <snippet>"), whatever it
    shares.  Anything else: ``change`` unchanged.
    """
    if change.kind != model.TEST_SNIPPET or change.partial or \
            re.search(r'^\s*(?:def|class|@)', change.code, re.M):
        return change
    quoted = quotes.comparable_lines(quote.text)
    proposed = quotes.comparable_lines(change.code)
    test = quotes.comparable_lines(test_source)
    in_test = [line for line in proposed if line in set(test)]
    if not quoted or not quotes.contains(test, quoted) or not (joined or (
            in_test and set(in_test) <= set(quoted) and
            not set(quoted) <= set(proposed))):
        return change
    old = textwrap.dedent(quote.text).strip('\n').split('\n')
    new = textwrap.dedent(change.code).strip('\n').split('\n')
    diff = '\n'.join(difflib.unified_diff(
        old, new, 'a/test_bug_1825537.py', 'b/test_bug_1825537.py',
        lineterm='')) + '\n'
    return model.change(
        kind=model.TEST_DIFF, span=change.span, target='test', code=diff,
        summary='rewrite of the code quoted at review line %d (as a diff)'
        % quote.span.start)
