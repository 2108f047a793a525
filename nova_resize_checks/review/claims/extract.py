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


"""Turn a parsed review into the concrete changes it proposes.

:func:`extract` returns ``(changes, findings)``: code blocks offered as
fixes (:mod:`.fixes`), then every prose block's sentences through the
rules of :mod:`.rules`.  Limits on what one review may propose are in
:mod:`.lexicon`.
"""

import bisect
import collections
import re

from nova_resize_checks.review.claims import fixes
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import likeness
from nova_resize_checks.review.claims import nova_listing
from nova_resize_checks.review.claims import removed_quote
from nova_resize_checks.review.claims import renaming
from nova_resize_checks.review.claims import rewrites
from nova_resize_checks.review.claims import rules
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import quotes
from nova_resize_checks.review.versions import references


# What prose is read against: the reference sources' lines (the test's
# first), the reviewed version's lines (``--reviewed``) or None, the nova
# files the review names, and the test's text with whitespace collapsed.
Refs = collections.namedtuple(
    'Refs', 'lines reviewed nova_paths test_text named_version')


def _refs(parsed, reference_sources, numbering=None):
    sources = references.of(reference_sources)
    reviewed = sources.lines.get('reviewed')
    test_text = ' '.join(sources.sources.get('test', '').split())
    return Refs(sources.ordered_lines(), reviewed, tuple(sorted(set(
        lexicon.NOVA_PATH_RE.findall(parsed.text)))), test_text,
        numbering or quotes.named_version(parsed.text))


def extract(parsed, reference_sources, nova_sources=None, numbering=None):
    """``(changes, findings)`` for a :class:`~model.ParsedReview`.

    ``reference_sources``: versions of the test by name; ``nova_sources``:
    nova's own files by path, whose quotations propose nothing;
    ``numbering``: the known version whose line numbers the review counts
    (see :func:`.identify.identify`), else the commit it names, if any.
    """
    findings = [model.Finding(model.INPUT_ERROR, e) for e in parsed.errors]
    refs_norm = quotes.normalised_references(reference_sources)
    nova_norm = quotes.normalised_references(nova_sources)
    refs = _refs(parsed, reference_sources, numbering)
    blocks = parsed.blocks
    test_source = (reference_sources or {}).get('test') or ''
    changes, covered = _code_changes(blocks, refs, refs_norm, nova_norm,
                                     test_source, findings)
    changes = _nova_listings(blocks, changes, nova_sources)
    made_by = {c.span for c in changes}
    quoted = None
    header = None
    named = []      # code spans of the prose paragraph before
    for index, block in enumerate(blocks):
        if block.kind == 'prose':
            made, spans = _block_prose(block, index in covered, findings,
                                       refs, prose.is_plain_text(parsed),
                                       header, named)
            named = spans
            # A gerrit header alone in its paragraph ("PS4, Line 60:" and
            # a blank line) opens the paragraph after it.
            header = _header_of(block.text, alone=True)
            if not made and quoted is not None:
                made = removed_quote.removals(block, quoted, findings)
            changes.extend(made)
        elif _is_code_block(block):
            quoted = block if block.span not in made_by and \
                quotes.is_quotation(block.text, refs_norm) else None
            if quoted is not None and header is not None:
                # "PS4, Line 92:", the lines quoted, then the comment:
                # the comment is on every line quoted.
                header = _widened(header, block.text)
    changes.sort(key=lambda c: c.span.start)
    changes = _without_restatements(changes)
    _drop_beyond_limit(changes, findings)
    return changes, cap_findings(findings)


def _nova_listings(blocks, changes, nova_sources):
    """``changes`` with nova code quoted with a change read as a patch.

    The block's snippet reading (it has no counterpart in the test) gives
    way to the nova patch it is.
    """
    if not nova_sources:
        return changes
    for block in blocks:
        if not _is_code_block(block) or block.kind == 'diff' or any(
                c.span == block.span and c.kind not in (
                    model.TEST_SNIPPET,) for c in changes):
            continue
        patch = nova_listing.nova_change(block, nova_sources)
        if patch is not None:
            changes = [c for c in changes if c.span != block.span]
            changes.append(patch)
    return changes


def _without_restatements(changes):
    """``changes`` without what the review's renames already make.

    A table may rename a local in one row and show its uses renamed in
    others ("replace `f(no_usage)` with `f(empty_usage)`"); a rename may be
    said twice.  Either would find nothing left to change once the rename
    is made.  A statement asked removed twice ("remove `x`" in a table,
    "Remove it" in the sentence after) is removed once.
    """
    renames = [(c.old, c.new) for c in changes if c.kind == model.RENAME
               and c.old and c.new]
    seen, kept = set(), []
    for change in changes:
        if change.kind in (model.RENAME, model.REMOVE) and change.old:
            key = (change.kind, tuple(sorted(change.fields().items())),
                   str(change.target))
            if key in seen:
                continue
            seen.add(key)
        elif change.kind == model.REPLACE and renames and change.old and \
                change.new and change.old != change.new and \
                _renamed(change.old, renames) == change.new:
            continue
        kept.append(change)
    return kept


def _renamed(code, renames):
    for old, new in renames:
        code = re.sub(r'\b%s\b' % re.escape(old), new, code)
    return code


def _is_code_block(block):
    """A fenced block or a numbered listing (not one inside backticks)."""
    if block.kind == 'listing':
        return block.info != 'inline'
    return block.kind == 'fence'


def _code_changes(blocks, refs, refs_norm, nova_norm, test_source,
                  findings):
    """``(changes, covered)`` of the code blocks.

    ``changes``: what the code blocks propose; ``covered``: the indexes of
    the prose blocks those changes carry out.  A block that quotes the
    test and proposes nothing makes the next block's one change a rewrite
    of the quotation.  Once :data:`~lexicon.MAX_CODE_PROPOSALS` changes
    are made, later code blocks are not read; a finding counts them.
    """
    changes = []
    covered = set()
    proposals = skipped = 0
    last_quote = None
    for k, block in enumerate(blocks):
        if not _is_code_block(block):
            continue
        if proposals >= lexicon.MAX_CODE_PROPOSALS:
            skipped += 1
            continue
        intro = fixes.introduction(blocks, k)
        following = blocks[k + 1] if k + 1 < len(blocks) else None
        made = fixes.code_changes(block, intro, refs_norm, findings,
                                  test_source, following,
                                  refs, nova_norm)
        if last_quote is not None and len(made) == 1:
            # "Replace the last assertion with:" names one statement of the
            # quotation; a GitHub suggestion takes the place of the lines
            # its comment is on, which the quotation before it shows.
            named = rewrites.ordinal_rewrite(blocks[last_quote], made[0],
                                             intro[1])
            made = [rewrites.rewrite_of_quotation(
                blocks[last_quote], named or made[0], test_source,
                named is not None or rewrites.joined(blocks, last_quote, k) or
                (block.info or '').split()[:1] == ['suggestion'])]
        last_quote = k if not made and quotes.is_quotation(
            block.text, refs_norm) else None
        proposals += len(made)
        changes.extend(made)
        covered.update(_carried_out(blocks, k, intro, made))
    if skipped:
        findings.append(model.Finding(
            model.UNPARSED_CLAIM,
            '%d code block(s) after the first %d proposals were not read'
            % (skipped, lexicon.MAX_CODE_PROPOSALS)))
    return changes, covered


def _carried_out(blocks, k, intro, made):
    """Indexes of the prose blocks code block ``k``'s changes carry out.

    The prose right after it when it goes on "instead ..."; the prose
    (and inline listings) leading up to a fix.
    """
    covered = set()
    if made and k + 1 < len(blocks) and blocks[k + 1].kind == 'prose' \
            and lexicon.CONTINUED_INSTEAD_RE.match(
                prose.mask_code(blocks[k + 1].text)[0]):
        covered.add(k + 1)
    if intro[0] or made:
        # The prose leading up to a fix is what the fix carries out.
        j = k - 1
        while j >= 0 and (blocks[j].kind == 'prose' or (
                blocks[j].kind == 'listing' and
                blocks[j].info == 'inline')):
            covered.add(j)
            j -= 1
    return covered


def _drop_beyond_limit(changes, findings):
    """Keep the first :data:`~lexicon.MAX_CHANGES` changes, and say so."""
    if len(changes) > lexicon.MAX_CHANGES:
        findings.append(model.Finding(
            model.UNPARSED_CLAIM,
            '%d changes beyond the first %d were dropped' %
            (len(changes) - lexicon.MAX_CHANGES, lexicon.MAX_CHANGES),
            changes[lexicon.MAX_CHANGES].span))
        del changes[lexicon.MAX_CHANGES:]


def cap_findings(findings, limit=lexicon.MAX_FINDINGS_PER_KIND):
    """Keep at most ``limit`` findings of each kind.

    One more finding of the kind says how many were left out.
    """
    counts = collections.Counter()
    out = []
    for f in findings:
        counts[f.kind] += 1
        if counts[f.kind] <= limit:
            out.append(f)
    for kind, n in sorted(counts.items()):
        if n > limit:
            out.append(model.Finding(
                kind, '%d more %s findings not listed' % (n - limit, kind)))
    return out


def _header_of(text, alone=False):
    """``(first, end)`` of the gerrit comment header opening ``text``.

    None when there is none (or, with ``alone``, when more than the
    header is in ``text``), or when its range is implausibly long.
    """
    m = lexicon.COMMENT_HEADER_RE.match(text)
    if m is None or (alone and text[m.end():].strip()):
        return None
    first = int(m.group('first'))
    end = int(m.group('end') or first)
    return (first, end) if \
        first <= end <= first + lexicon.MAX_LINE_RANGE else None


def _widened(header, quotation):
    """A header's lines, over as many lines as its quotation has.

    Gerrit quotes the lines a comment is on, starting at the header's
    line: "Line 92:" and three lines quoted are lines 92-94.
    """
    first, end = header
    count = len([line for line in quotation.split('\n') if line.strip()])
    if end - first + 1 < count <= lexicon.MAX_LINE_RANGE:
        return first, first + count - 1
    return header


# A sentence points back at the code spans before it ("Please remove
# it"): the nearest this many are kept, so that a block of thousands of
# sentences is read in linear time.
MAX_EARLIER_CODES = 200


def _block_prose(block, covered, findings, refs, plain=False, header=None,
                 named=()):
    """``(changes, code spans)`` of one prose block.

    Unparsed claims go to ``findings``.  ``header``: the lines of a gerrit
    comment header that stood alone in the paragraph before; one that
    opens this block takes its place.  ``named``: the code spans of the
    paragraph before, which a sentence may point back at ("Please remove
    it").
    """
    masked, codes = prose.mask_code(block.text, plain)
    line_at = prose.line_counter(masked, block.span.start)
    bounds = prose.split(masked)
    unparsed = []
    renames = renaming.rename_changes(masked, codes, line_at, unparsed,
                                      refs.test_text)
    changes = [c for _, c in renames if c is not None]
    rename_offsets = sorted(off for off, _ in renames)
    renamed = set()
    for c in changes:
        renamed.update((c.old, c.new))
    referred = False
    if lexicon.COMMENT_HEADER_RE.match(masked):
        header = _header_of(masked)
    # The code spans before each sentence, gathered as the sentences go
    # (linear in the block's size): a sentence may point back at them.
    earlier, read_to = list(named), 0
    for start, end in bounds:
        piece = masked[start:end]
        if not piece.strip():
            continue
        earlier.extend(prose.codes_in(masked[read_to:start], codes))
        read_to = start
        del earlier[:-MAX_EARLIER_CODES]
        span = model.Span(line_at(start),
                          line_at(start + len(piece.rstrip())))
        before = len(unparsed)
        made = rules.sentence_changes(
            piece, codes, span, renamed, refs, unparsed, header,
            list(earlier))
        changes.extend(made)
        k = bisect.bisect_left(rename_offsets, start)
        got = (made or len(unparsed) > before or
               (k < len(rename_offsets) and rename_offsets[k] < end))
        if not got and not covered and (
                likeness.claim_like(piece, codes, referred) or
                lexicon.VAGUE_REQUEST_RE.search(piece) or
                lexicon.LABELLED_REQUEST_RE.match(piece) or
                likeness.alternatives(piece)):
            unparsed.append(model.Finding(
                model.UNPARSED_CLAIM,
                lexicon.PROSE_CLAIM + ' %s' % texts.short(
                    prose.unmask(piece, codes), 200), span))
        referred = not got and (referred or likeness.refers(piece, codes))
    findings.extend(unparsed)
    return changes, codes
