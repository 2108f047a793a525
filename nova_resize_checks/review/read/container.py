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


"""Read a free-text review and cut it into blocks.

:func:`read_review` turns bytes into text (:mod:`.decoding`: BOMs,
UTF-16, invalid UTF-8, NUL bytes and CR/CRLF line ends are all handled)
and never raises; :func:`parse_text` cuts text into :class:`~model.Block`
objects (telling unfenced code from prose with :mod:`.unfenced`) and
reads the review's own verdict (:mod:`.stated_verdict`).

Blocks, in order of their first line:

``fence``
    Fenced code (markdown-it-py finds the fences, with their info strings;
    an unterminated fence runs to the end of its container, minus trailing
    paragraphs that are plainly prose).  Top-level indented code blocks and
    unified diffs written straight into the text (no fence) are also
    reported as ``fence`` blocks; an unfenced diff has the info ``diff``.
``listing``
    Lines carrying their original line numbers (``75         self.x(``).
    The numbers are stripped into :attr:`Block.numbers`.  A fence whose
    every non-blank line is numbered becomes a listing that keeps the
    fence's info string; a run of numbered lines in plain text has info
    ``''``; numbered lines inside inline backticks of a prose bullet (``1.
    `13 from nova...`: This line ...``) have info ``'inline'`` and overlap
    the prose block they sit in.
``prose``
    Everything else, one block per paragraph, list item or heading.

Line numbers are 1-based and count ``\\n`` after CR/CRLF normalisation.
Work is capped: a review over :data:`MAX_REVIEW_BYTES` bytes,
:data:`MAX_REVIEW_CHARS` characters or :data:`MAX_REVIEW_LINES` lines is
not parsed (the result carries an error instead).
"""

import os
import re
import stat
import textwrap

import markdown_it

from nova_resize_checks.review import model
from nova_resize_checks.review.read import answer
from nova_resize_checks.review.read import decoding
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import listings
from nova_resize_checks.review.read import stated_verdict
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.read import unfenced

# Kept importable from here, where callers have always found them.
decode_bytes = decoding.decode_bytes
normalise_text = decoding.normalise_text
cwe_ids = stated_verdict.cwe_ids
looks_like_prose = unfenced.looks_like_prose
# Used by the block cutting below.
_bare_code = unfenced.bare_code
_unfenced_code = unfenced.unfenced_code
_LIST_ITEM_RE = unfenced.LIST_ITEM_RE

# Real reviews are a few kB; parsing, extraction and checks together cost
# roughly 10 s per MB of adversarial text, so anything bigger is refused.
MAX_REVIEW_BYTES = 1024 * 1024
MAX_REVIEW_CHARS = 1024 * 1024
MAX_REVIEW_LINES = 100000
# markdown-it-py's list rule costs ~70us a line; above this many lines the
# fences are found without it (fences in list items indented by four or
# more columns are then missed).
_FULL_MARKDOWN_LINES = 20000

_HEADING_RE = re.compile(r'[ \t]{0,3}#{1,6}(?:[ \t]|$)')


_MD_FULL = None
_MD_FAST = None


def _markdown(full):
    global _MD_FULL, _MD_FAST
    if full:
        if _MD_FULL is None:
            md = markdown_it.MarkdownIt('zero')
            md.enable(['fence', 'code', 'blockquote', 'list'])
            md.disable('inline')
            _MD_FULL = md
        return _MD_FULL
    if _MD_FAST is None:
        md = markdown_it.MarkdownIt('zero')
        md.enable(['fence', 'code', 'blockquote'])
        md.disable('inline')
        _MD_FAST = md
    return _MD_FAST


def read_review(path):
    """Read the review at ``path``; never raises."""
    name = str(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError('not a regular file')
        if st.st_size > MAX_REVIEW_BYTES:
            return model.ParsedReview(
                name, '', [], errors=[
                    'review too large: %d bytes (limit %d)' %
                    (st.st_size, MAX_REVIEW_BYTES)])
        with open(path, 'rb') as f:
            data = f.read(MAX_REVIEW_BYTES + 1)
    except (OSError, TypeError, ValueError) as e:
        return model.ParsedReview(
            name, '', [], errors=['cannot read review: %s' % e])
    if len(data) > MAX_REVIEW_BYTES:
        return model.ParsedReview(
            name, '', [], errors=['review too large: more than %d bytes' %
                                  MAX_REVIEW_BYTES])
    text, errors = decode_bytes(data)
    parsed = parse_text(text, name)
    parsed.errors[:0] = errors
    return parsed


def parse_text(text, path='<text>'):
    """Cut review text into blocks and read its verdict; never raises."""
    if not isinstance(text, str):
        return model.ParsedReview(str(path), '', [], errors=[
            'review text is %s, not str' % type(text).__name__])
    if len(text) > MAX_REVIEW_CHARS:
        return model.ParsedReview(str(path), '', [], errors=[
            'review too large: %d characters (limit %d)' %
            (len(text), MAX_REVIEW_CHARS)])
    text, notes = answer.unwrap(normalise_text(text))
    lines = text.split('\n')
    if len(lines) > MAX_REVIEW_LINES:
        return model.ParsedReview(str(path), '', [], errors=[
            'review too large: %d lines (limit %d)' %
            (len(lines), MAX_REVIEW_LINES)])
    try:
        blocks = _blocks(text, lines)
    except RecursionError:
        return model.ParsedReview(str(path), text, [], errors=[
            'review nests too deeply to parse'])
    prose = '\n'.join(b.text for b in blocks if b.kind == 'prose')
    verdict, verdict_line = None, 0
    for block in blocks:
        found = stated_verdict.stated(block.text) \
            if block.kind == 'prose' else None
        if found is not None:
            verdict = found[0]
            verdict_line = block.span.start + block.text.count(
                '\n', 0, found[1])
            break
    return model.ParsedReview(
        path=str(path), text=text, blocks=blocks,
        claims_no_defects=verdict, verdict_line=verdict_line,
        cwe_ids=cwe_ids(prose), notes=notes)


def code_spans(text):
    """Inline code spans of ``text`` as ``(start, end, content)``.

    CommonMark's rule: a run of N backticks opens a span that the next run
    of exactly N backticks closes; a run that is never closed is literal.
    ``start``/``end`` cover the backticks; ``content`` loses one leading
    and one trailing space when it has both.  Linear in ``len(text)``.
    """
    runs = [(m.start(), m.end()) for m in re.finditer(r'`+', text)]
    by_len = {}
    for i, (s, e) in enumerate(runs):
        by_len.setdefault(e - s, []).append(i)
    pointer = {n: 0 for n in by_len}
    spans = []
    i = 0
    while i < len(runs):
        s, e = runs[i]
        n = e - s
        same = by_len[n]
        k = pointer[n]
        while k < len(same) and same[k] <= i:
            k += 1
        pointer[n] = k
        if k >= len(same):
            i += 1
            continue
        j = same[k]
        cs, ce = runs[j]
        content = text[e:cs]
        if (len(content) > 1 and content[0] == ' ' and content[-1] == ' ' and
                content.strip()):
            content = content[1:-1]
        spans.append((s, ce, content))
        i = j + 1
    return spans


def number_lines(lines):
    """Strip line numbers off ``lines``; ``(numbers, texts)`` or None.

    Every non-blank line must carry a number; a blank line takes the
    number after its predecessor's.
    """
    numbers = []
    texts = []
    seen = False
    for line in lines:
        if not line.strip():
            numbers.append(numbers[-1] + 1 if numbers else 0)
            texts.append('')
            continue
        m = listings.NUMBERED_RE.match(line)
        if not m:
            return None
        seen = True
        numbers.append(int(m.group(1)))
        texts.append(line[m.end():])
    if not seen:
        return None
    # Trailing blank lines carry nothing.
    while texts and not texts[-1].strip():
        texts.pop()
        numbers.pop()
    return tuple(numbers), texts


def _closing_fence(line, markup):
    s = line.lstrip(' \t>')
    n = len(markup)
    return (s.startswith(markup[0] * n) and
            not s.rstrip().strip(markup[0]))


_CODE_LINE_RE = re.compile(
    r'[()=\[\]{}]|^\s*(?:return|assert|raise|pass|import|from|def|class|'
    r'if|for|while|with|try|except|else|elif)\b')


def _quoted_code(content):
    """Whether a quotation's paragraph is Python, line by line.

    Every line must look like code (brackets, an assignment, a keyword
    that opens a statement) and the whole must parse: prose quoted from
    another reviewer is neither.
    """
    lines = content.split('\n')
    return bool(content.strip()) and all(
        _CODE_LINE_RE.search(line) for line in lines if line.strip()) and \
        texts.parses(textwrap.dedent(content))


def _fences(text, lines):
    """Fence regions ``(first, end, info, content, indented)``.

    0-based, end-exclusive; ``indented`` for markdown's indented code
    blocks, which plain text makes of any indented paragraph.
    """
    md = _markdown(len(lines) <= _FULL_MARKDOWN_LINES)
    regions = []
    # The containers open around each token: code indented under a ``>``
    # quotation is code; "-" and "+" lines of a diff make list items whose
    # indented content is not.
    opened = []
    for tok in md.parse(text):
        if tok.nesting == 1:
            opened.append(tok.type)
        elif tok.nesting == -1 and opened:
            opened.pop()
        if tok.map is None:
            continue
        if tok.type == 'fence':
            regions.append(_fence_region(tok, lines))
        elif tok.type == 'inline' and len(opened) > 1 and \
                opened[-1] == 'paragraph_open' and \
                all(t == 'blockquote_open' for t in opened[:-1]) and \
                _quoted_code(tok.content):
            # "> self.assertEqual(no_usage, source_rp_usages)": gerrit
            # quotes the lines a comment is on; code quoted is code.
            first, end = tok.map
            regions.append((first, min(end, len(lines)), '', tok.content,
                            False))
        elif tok.type == 'code_block' and all(
                t == 'blockquote_open' for t in opened):
            regions.append(_indented_region(tok, lines))
    return regions


def _token_text(tok, lines):
    """(first, end, content) of a block token, its last newline off."""
    first, end = tok.map
    content = tok.content
    if content.endswith('\n'):
        content = content[:-1]
    return first, min(end, len(lines)), content


def _fence_region(tok, lines):
    first, end, content = _token_text(tok, lines)
    if end - 1 > first and _closing_fence(lines[end - 1], tok.markup):
        return (first, end, tok.info.strip(), content, False)
    # Unterminated: give trailing prose paragraphs back.
    body, drop = _give_back_prose(content, looks_like_prose)
    return (first, end - drop, tok.info.strip(), body, False)


def _indented_region(tok, lines):
    first, end, content = _token_text(tok, lines)
    inner = _indented_fence(content)
    if inner is not None:
        # A fence indented under a footnote ("[^1]: ... add:" and the
        # block below it): markdown reads it as an indented block, fence
        # lines and all; the fence is what it is.
        return (first, end) + inner + (False,)
    # An indented block swallows the indented prose after it ("    after
    # line 70."): give back what is not code.
    body, drop = _give_back_prose(content, _not_code_after(content))
    return (first, end - drop, '', body, True)


_FENCE_OPEN_RE = re.compile(
    r'^(?P<markup>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$')


def _indented_fence(content):
    """``(info, code)`` of an indented block that is one whole fence.

    None unless its first line opens a fence and its last line closes it.
    """
    body = textwrap.dedent(content).strip('\n').split('\n')
    m = _FENCE_OPEN_RE.match(body[0].strip()) if body else None
    if m is None or len(body) < 3 or not _closing_fence(
            body[-1], m.group('markup')):
        return None
    return m.group('info').strip(), textwrap.dedent('\n'.join(body[1:-1]))


def _give_back_prose(content, is_prose):
    """``(content, lines dropped)`` without trailing prose paragraphs."""
    body = content.split('\n') if content else []
    drop = 0
    while body:
        cut = len(body)
        while cut > 0 and body[cut - 1].strip():
            cut -= 1
        tail = '\n'.join(body[cut:])
        if cut == 0 or not is_prose(tail):
            break
        drop += len(body) - cut
        body = body[:cut]
        while body and not body[-1].strip():
            body.pop()
            drop += 1
    return '\n'.join(body), drop


def _not_code_after(content):
    """A test for trailing paragraphs of an indented block that is code.

    When the block does not parse as a whole, a trailing paragraph that
    does not parse either goes back to the prose.
    """
    if texts.parse_python(content) is not None:
        return lambda tail: False
    return lambda tail: texts.parse_python(tail) is None


def _blocks(text, lines):
    n = len(lines)
    used = [False] * n
    blocks = []
    fenced = _fences(text, lines)
    for first, end, _info, _content, indented in fenced:
        if not indented:
            for k in range(first, end):
                used[k] = True
    unfenced = _unfenced_code(lines, used)
    for first, end in unfenced:
        for k in range(first, end):
            used[k] = True
        blocks.append(model.Block(
            kind='fence', text='\n'.join(lines[first:end]),
            span=model.Span(first + 1, end)))
    for first, end, info, content, indented in fenced:
        if indented and any(first < b and a < end for a, b in unfenced):
            continue
        for k in range(first, end):
            used[k] = True
        numbered = number_lines(content.split('\n')) if content else None
        if numbered and not info.lower().startswith(('diff', 'patch')):
            numbers, texts = numbered
            blocks.append(model.Block(
                kind='listing', text='\n'.join(texts),
                span=model.Span(first + 1, max(first + 1, end)), info=info,
                numbers=numbers))
        else:
            blocks.append(model.Block(
                kind='fence', text=content,
                span=model.Span(first + 1, max(first + 1, end)), info=info))
    for first, end in diffs.find_in_text(lines, used):
        for k in range(first, end):
            used[k] = True
        blocks.append(model.Block(
            kind='fence', text='\n'.join(lines[first:end]),
            span=model.Span(first + 1, end), info='diff'))
    inline, consumed = listings.inline_listings(lines, used)
    blocks.extend(inline)
    listing_used = list(used)
    for k in consumed:
        listing_used[k] = True
    for first, end in listings.plain_listings(lines, listing_used):
        for k in range(first, end):
            used[k] = True
        numbers, texts = number_lines(lines[first:end])
        blocks.append(model.Block(
            kind='listing', text='\n'.join(texts),
            span=model.Span(first + 1, end), numbers=numbers))
    blocks.extend(_prose_blocks(lines, used))
    order = {'prose': 0, 'fence': 1, 'listing': 2}
    blocks.sort(key=lambda b: (b.span.start, order.get(b.kind, 3)))
    return blocks


# Statements that make a paragraph code, not a sentence.
def _prose_blocks(lines, used):
    blocks = []
    start = None

    def flush(end):
        if start is not None:
            body = '\n'.join(lines[start:end])
            if body.strip():
                blocks.append(model.Block(
                    kind='fence' if _bare_code(body) else 'prose',
                    text=body, span=model.Span(start + 1, end)))

    for k, line in enumerate(lines):
        if used[k] or not line.strip():
            flush(k)
            start = None
            continue
        heading = _HEADING_RE.match(line)
        if start is not None and (heading or _LIST_ITEM_RE.match(line)):
            flush(k)
            start = None
        if start is None:
            start = k
        if heading:
            flush(k + 1)
            start = None
    flush(len(lines))
    return blocks
