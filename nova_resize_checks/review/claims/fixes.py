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
goes (:mod:`.placed` reads the places; "change line N" and gerrit
headers are read here).
"""

import ast
import dataclasses
import re
import textwrap

from nova_resize_checks.review.claims import language
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import placed
from nova_resize_checks.review.claims import words
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
    if lexicon.FIX_RE.search(last) or _line_intro(last, whole) or \
            lexicon.FOREIGN_REQUEST_RE.search(last):
        return True, last, whole, idx, codes
    if lexicon.QUOTE_RE.search(last):
        return False, last, whole, idx, codes
    if lexicon.FIX_RE.search(whole) and not lexicon.QUOTE_RE.search(whole):
        return True, last, whole, idx, codes
    return False, last, whole, idx, codes


def _line_intro(last, whole=''):
    for regex in lexicon.LINE_INTRO_RES:
        m = regex.search(last.strip())
        if m:
            first = int(m.group('first'))
            return first, int(m.group('end') or first)
    return _foreign_line_intro(last, whole)


def _foreign_line_intro(last, whole=''):
    """"A linha 94 deveria ser alterada para:", "第94行应改为：".

    A sentence in another language that names one line or range (once or
    more), asks for something (not a removal), and introduces what
    follows (it ends with a colon, or says "the following"): the block is
    the new form of those lines.
    """
    text = last.strip()
    places = _foreign_places(text)
    if not places and lexicon.FOREIGN_LINE_WORD_RE.search(text):
        # "Please replace these two lines with:" after "lines 62-63 check
        # ...": the lines the paragraph named.
        places = _foreign_places(whole or '')
    if not (text.endswith((':', '\uff1a')) or
            lexicon.FOREIGN_FOLLOWING_RE.search(text)) or \
            len(places) != 1 or \
            not lexicon.FOREIGN_REQUEST_RE.search(text) or \
            asks_removal(text) or lexicon.FOREIGN_ADD_RE.search(text) or \
            any(r.search(text) for r in lexicon.LINE_PLACE_RES):
        # (A block put next to the line, or added, replaces nothing.)
        return None
    first, end = places.pop()
    first = int(first)
    end = int(end or first)
    return (first, end) if first <= end <= first + lexicon.MAX_LINE_RANGE \
        else None


def _foreign_places(text):
    """The ``{(first, end)}`` line places named in another language."""
    return {(m.group('first') or m.group('first_cjk'),
             m.group('end') or m.group('end_cjk'))
            for m in lexicon.FOREIGN_LINES_RE.finditer(text)}


def _like_line(test_source, number, code):
    """Whether ``code`` reads as a new form of the test's line ``number``."""
    lines = test_source.split('\n')
    if not 1 <= number <= len(lines):
        return False
    own = ' '.join(lines[number - 1].split())
    return not own.startswith('#') and numbering.likeness(
        own, ' '.join(code.split())) >= 0.5


def _header_intro(last, whole, code, is_fix, test_source):
    """The lines of the gerrit comment header a block replaces.

    A request for "these lines" in a comment ("Lines 72-74: ... I'd
    replace these three lines with:"), or a block of one statement that is
    all a "Line N:" comment offers (its line, written as it should be).
    """
    logical = quotes.logical_lines(code)
    single = len(logical) == 1 and texts.parse_python(code) is not None \
        and logical[0] not in quotes.logical_lines(test_source)
    # One physical line that is not a statement on its own ("self.flavor2,
    # server['id'], source_rp_uuid)"): the new form of the commented line
    # when that line is a continuation like it.
    piece = '\n' not in code.strip() and texts.parse_python(
        textwrap.dedent(code).strip()) is None
    if not (is_fix and lexicon.DEICTIC_LINES_RE.search(last.strip())) and \
            not single and not piece:
        return None
    headers = list(lexicon.COMMENT_HEADER_RE.finditer(whole or ''))
    if not headers:
        return None
    m = headers[-1]
    first = int(m.group('first'))
    end = int(m.group('end') or first)
    if piece and not single and not (
            first == end and _like_line(test_source, first, code)):
        return None
    if single and not is_fix and first != end and not _one_statement_at(
            test_source, first, end):
        return None
    return (first, end) if first <= end <= first + lexicon.MAX_LINE_RANGE \
        else (first, first)


def _one_statement_at(test_source, first, end):
    """Whether the test's lines ``first``-``end`` hold one statement."""
    lines = test_source.split('\n')[first - 1:end]
    return len(lines) == end - first + 1 and len(
        quotes.logical_lines('\n'.join(lines))) == 1


def line_changes(first, end, code, span, summary):
    """The line ``first`` becomes ``code``; the rest up to ``end`` go.

    An empty ``code`` (a suggestion with nothing in it) removes them all.
    """
    if not code.strip():
        return [model.change(
            kind=model.REMOVE, span=span, line=n,
            summary='remove line %d (%s: an empty block)' % (n, summary))
            for n in range(first, min(end, first + lexicon.MAX_LINE_RANGE)
                           + 1)]
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


def _diff_changes(block, whole, findings):
    """A diff block: one change per file it patches."""
    changes = []
    for path, section in diffs.split(block.text):
        kind, target = language.diff_target(path, whole)
        if diffs.changes_nothing(section):
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'a diff whose added lines are its removed lines, unchanged: '
                'it claims a change it does not make (%s)'
                % (path or target), block.span))
            continue
        if kind != model.NOVA_DIFF:
            section = quotes.port_dialect(section)
        changes.append(model.change(
            kind=kind, span=block.span, target=target, code=section,
            summary='unified diff against %s' % (path or target)))
    if not changes and not _found_for(findings, block):
        # A diff is a proposal; one that changes nothing (cut short, or
        # context only) cannot be applied.
        findings.append(model.Finding(
            model.UNPARSED_CLAIM,
            'a diff that changes no line (no added or removed lines were '
            'read): %s' % texts.short(block.text, 80), block.span))
    return changes


def _found_for(findings, block):
    """Whether a finding about ``block`` was made already."""
    return any(f.span == block.span for f in findings)


def _numbered_lines(read):
    """"Change line N to:", "Lines 72-74: ... replace these lines with:".

    The lines are numbered as the version the review read (refs); a
    one-statement block under a "Line N:" header that is not the new form
    of line N in any numbering known is left to the other readings.
    """
    is_fix, last, whole = read.intro[:3]
    lines = _line_intro(last, whole) if is_fix else None
    if not lines and read.block.info.split()[:1] == ['suggestion']:
        lines = _suggestion_lines(whole)
    from_header = not lines
    lines = lines or _header_intro(last, whole, read.text, is_fix,
                                   read.test_source)
    if not lines:
        return None
    first, end = lines
    code = quotes.port_dialect(textwrap.dedent(read.text).strip('\n'))
    refs = read.refs
    here = _lines_here(first, end, code, refs)
    if from_header and first == end and not here and not _like_line(
            read.test_source, first, code):
        return None
    if not here and refs is not None and (refs.named_version or
                                          refs.reviewed):
        # Lines of another version (the review names it) that no known
        # numbering maps onto ours: ours' lines of the same numbers are
        # other code.  The block is left to the readings by content (a
        # listing of that version, ported three ways).
        return None
    summary = 'replace line(s) %d-%d with the block' % lines
    if isinstance(here, tuple):
        summary += ' (lines %d-%d here)' % here
        first, end = here
    elif here:
        summary += ' (line %d here)' % here
        first = end = here
    return line_changes(first, end, code, read.block.span, summary)


def _suggestion_lines(whole):
    """A GitHub suggestion replaces the lines its comment is on.

    "**file.py**, lines 93-94" and the block: (first, end), or None.  The
    lines may be named in another language on the comment's header, the
    line that names the file ("**test_x.py** 87번째 줄"): a suggestion needs
    no verb to say what it does.  A line named in the prose of another
    language may be one the comment keeps, so it is not taken.
    """
    places = list(lexicon.LINE_PLACE_RE.finditer(whole or ''))
    if places:
        first = int(places[-1].group('first'))
        end = int(places[-1].group('end') or first)
    else:
        places = [m for line in (whole or '').split('\n')
                  if re.search(r'\.py\b', line) and len(line) <= 200
                  for m in lexicon.FOREIGN_LINES_RE.finditer(line)]
        if not places:
            return None
        last = places[-1]
        first = int(last.group('first') or last.group('first_cjk'))
        end = int(last.group('end') or last.group('end_cjk') or first)
    if first <= end <= first + lexicon.MAX_LINE_RANGE:
        return first, end
    return None


def _lines_here(first, end, code, refs):
    """Ours' line (or (first, end)) for the reviewed version's lines.

    An empty block (a suggestion that deletes the lines) has no content
    to find the lines by: their numbers stand as given.
    """
    if refs is None or not code.strip():
        return None
    if first == end:
        return numbering.line_of_known_version(
            first, code, refs.lines, refs.reviewed, refs.named_version)[0]
    return numbering.range_of_known_version(
        first, end, code, refs.lines, refs.reviewed, refs.named_version)


def _next_to_a_line(read):
    is_fix, last = read.intro[:2]
    return placed.line_placed(is_fix, last, read.text, read.block.span,
                              read.test_source, read.refs, read.intro[4])


def _where_the_prose_says(read):
    last, codes = read.intro[1], read.intro[4]
    code = textwrap.dedent(read.text).strip('\n')
    return placed.placed_block(
        last, codes, code, read.block.span, read.test_source) or \
        placed.continued_in_place(read.block_after, code, read.block.span,
                                  read.test_source)


def _offered(is_fix, last):
    """Whether the introduction offers the block as the fix.

    A fix that names the code it replaces ("should replace the current
    one") is offered; one that only names it ("the current code is") is
    not.
    """
    return is_fix and (not lexicon.QUOTE_RE.search(last) or
                       bool(lexicon.REPLACES_CURRENT_RE.search(last)))


def _by_content(read):
    """Content decides: a quotation (no change), or a proposal.

    Code that is, normalised, a piece of a version of the test is a
    quotation; any other code is a proposal, whatever the sentence before
    it says.  Only a numbered listing that the review presents as the
    existing code (and not as a fix) is read as a walk-through of code
    this tool does not know.  Code that is a run of another version of the
    test (upstream's installed copy, the reviewed version, a version known
    by fingerprint) is a quotation unless the review presents it as the
    fix: a review of the 2019 recreate version may offer upstream's later
    method as the correction (wording settles that tie).  A run of the
    test itself is always a quotation.
    """
    is_fix, last, whole = read.intro[:3]
    block, text, test_source = read.block, read.text, read.test_source
    offered = _offered(is_fix, last) and bool(test_source)
    against = ([quotes.comparable_lines(test_source)] if offered
               else read.refs_norm)
    if quotes.is_quotation(text, against, known=not offered) or \
            quotes.is_elided_quotation(text, read.nova_norm):
        # A piece of a version of the test, or of nova's own code
        # ("finish_resize's except block reads:"), perhaps with parts
        # left out: a quotation.
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


def asks_removal(sentence, passive=False):
    """Whether ``sentence`` asks for a removal (any language, unnegated).

    With ``passive``, "should be removed" counts too (the caller checks
    for the modal).
    """
    return words.removal_asked(sentence, passive) is not None


def _removed_block(read):
    """"Remove these lines:" over a quotation of the test: its statements go.

    The introduction asks for a removal and the block is, normalised, a
    piece of a version of the test (the lines to remove, quoted): each of
    its statements is removed.  The request may be passive with a modal
    ("These lines can be removed:", "The following can be deleted:").
    An introduction that ends with a comma is a sentence the block
    interrupts: it asks for nothing on its own.
    New code after such an introduction is left to the other readings.
    """
    intro = read.intro[1] or ''
    if intro.rstrip().endswith(','):
        # "... so line 43, <block> has to lose its first argument": the
        # sentence goes on after the block, which it only quotes.
        return None
    if not (asks_removal(intro) or (
            asks_removal(intro, passive=True) and
            lexicon.REQUEST_RE.search(intro))):
        return None
    text = textwrap.dedent(read.text).strip('\n')
    if not quotes.is_quotation(text, read.refs_norm, known=True):
        return None
    tree = texts.parse_python(quotes.port_dialect(text))
    if tree is None or not tree.body:
        return None
    return [model.change(kind=model.REMOVE, span=read.block.span,
                         old=ast.unparse(node),
                         summary='remove statement %s (quoted as the lines '
                         'to remove)' % texts.short(ast.unparse(node), 60))
            for node in tree.body]


# What a block of Python may be, tried in this order: the first reading
# that gives changes wins.  Each takes the block's _Read.
_PYTHON_BLOCK_RULES = (_numbered_lines, _removed_block, _next_to_a_line,
                       _where_the_prose_says, _by_content)


@dataclasses.dataclass
class _Read:
    """One code block and what surrounds it (see code_changes)."""
    block: object
    intro: tuple
    refs_norm: list
    test_source: str
    block_after: object
    refs: object
    nova_norm: tuple = ()

    @property
    def text(self):
        return self.block.text


def code_changes(block, intro, refs_norm, findings, test_source='',
                 block_after=None, refs=None, nova_norm=()):
    """Changes from one fence or listing block.

    ``intro``: :func:`introduction`'s reading of the prose before it;
    ``block_after``: the block that follows (the sentence may go on after
    the code: "Use <block> instead of `X`"); ``nova_norm``: nova's own
    files, normalised (a quotation of them proposes nothing).
    """
    is_fix, last = intro[:2]
    lang = language.code_language(block.text, block.info)
    if lang == 'diff':
        return _diff_changes(block, intro[2], findings)
    if lang in ('other', 'prose'):
        if is_fix or lexicon.CUE_RE.search(last):
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'code introduced as a fix is not Python (%s): %s' %
                (language.fence_language(block.info) or lang,
                 texts.short(block.text)),
                block.span))
        return []
    read = _Read(block, intro, refs_norm, test_source, block_after, refs,
                 nova_norm)
    for rule in _PYTHON_BLOCK_RULES:
        changes = rule(read)
        if changes:
            return changes
    return []
