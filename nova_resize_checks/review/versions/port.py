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


"""The three-way port: a review's change to the version it read, onto ours.

A review of upstream's recreate (or fixed, or current) version proposes
that version with its changes: a listing, a method, a diff.  Applied to
our test as it stands, such a proposal also carries every difference
between that version and ours, and drops what only ours asserts.  The
change the review claims is the difference between the version it
reviewed and the version it proposes, so :func:`port` merges three ways,
with :mod:`merge3`, over *logical lines* (one per statement, compared by
their digests, see :func:`.quotes.comparable_lines`):

* base: the reviewed version (its digests are all this package keeps of
  upstream versions that are not installed, see :mod:`.known_versions`);
* ours: the canonical test;
* theirs: ours with the review's changes applied (what
  :func:`~nova_resize_checks.review.edits.apply_changes` made).

Where only one side changed a region, that side is taken.  Where both did
(ours differs from the reviewed version and the review changed the same
region), the conflict is resolved by three rules, never by a guess:

1. a line ours has and the reviewed version lacks stays (the review did
   not touch it);
2. a line the review's side has only because the reviewed version, or
   another known version, has it is version drift, not a claim: it goes;
3. a line the review removed that ours shares with the reviewed version
   goes, and a line no known version has is the review's own and is kept
   in its place.

What cannot be resolved so (the merged file does not parse, or a name the
review renamed is still read by a line only ours has) is a
:class:`Conflict`: the change is not applied and the reason names the
lines.
"""

import ast
import collections
import difflib
import functools
import io
import keyword
import textwrap
import tokenize

import merge3

from nova_resize_checks import assertions
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import quotes


class Conflict(Exception):
    """The review's change cannot be ported onto ours without a guess."""


class Line(object):
    """One logical line of a file: its digest and its physical lines."""

    __slots__ = ('digest', 'text', 'prefix', 'first')

    def __init__(self, digest, text, prefix, first):
        self.digest = digest      # of the comparable form, or None
        self.text = text          # the physical lines, joined
        self.prefix = prefix      # comment and blank lines before it
        self.first = first        # its first physical line number


def logical_lines(source):
    """The logical lines of parseable ``source``, comments kept as prefix.

    Returns (lines, tail): ``tail`` is what follows the last one.
    """
    physical = source.splitlines(True)
    out = []
    start = None
    last_end = 0
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        kind = token.type
        if kind in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT,
                    tokenize.DEDENT, tokenize.ENCODING):
            continue
        if kind == tokenize.ENDMARKER:
            break
        if start is None:
            start = token.start[0]
        if kind == tokenize.NEWLINE:
            end = token.end[0]
            text = ''.join(physical[start - 1:end])
            prefix = ''.join(physical[last_end:start - 1])
            comparable = quotes.comparable_lines(text)
            digest = (quotes.line_digest(comparable[0])
                      if len(comparable) == 1 else None)
            out.append(Line(digest, text, prefix, start))
            last_end = end
            start = None
    return out, ''.join(physical[last_end:])


@functools.lru_cache(maxsize=32)
def digests(source):
    """The digest of every logical line of ``source`` (None if it fails).

    Memoised: every review is identified against the same few versions
    (ours, upstream's), which are tokenized once, not once per review.
    """
    try:
        lines, _tail = logical_lines(source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return tuple(line.digest for line in lines)


def _key(line):
    # Lines whose comparable form is not one entry (rare) compare by text.
    return line.digest or ('text', line.text.strip())


def port(base, ours, theirs, known=(), deletable=None):
    """``theirs`` (ours with the review's changes) ported onto ``ours``.

    ``base`` is the digest sequence of the version the review read;
    ``known`` holds the digests of every known version (drift, rule 2);
    ``deletable``, when given, the lines a removal may take: those every
    version the review may have read has (when its quotations fit two
    versions about as well, a line only one of them has was not
    necessarily in front of the reviewer, so its absence from the
    review's side is no removal).  Returns the merged source.  Raises
    :class:`Conflict`.
    """
    ours_lines, _ = logical_lines(ours)
    their_lines, tail = logical_lines(theirs)
    a = [_key(line) for line in ours_lines]
    b = [_key(line) for line in their_lines]
    base = list(base)
    renames = _Renames(base, ours_lines, their_lines, known)
    renames.deletable = deletable
    merged = []
    z0 = a0 = b0 = 0
    # merge3's sync regions give the three sides' indices together; the
    # gaps between them are classified as merge3.merge_regions does.
    for zs, ze, as_, ae, bs, be in merge3.Merge3(
            base, a, b).find_sync_regions():
        merged.extend(_gap(base[z0:zs], ours_lines[a0:as_],
                           their_lines[b0:bs], known, renames))
        merged.extend(their_lines[bs:be])
        z0, a0, b0 = ze, ae, be
    return _finish(ours, merged, tail)


def _gap(base, ours, theirs, known, renames):
    """One region between two sync regions of the merge."""
    a = [_key(line) for line in ours]
    b = [_key(line) for line in theirs]
    if a == b:
        return theirs           # both made the same change
    if a == base and not _undeletable(ours, b, renames.deletable):
        return theirs           # only theirs changed
    if b == base:
        return ours             # only ours differs from the reviewed version
    return _resolve(base, ours, theirs, known, renames)


def _undeletable(ours, b, deletable):
    """Whether theirs drops a line of ``ours`` that it may not remove."""
    if deletable is None:
        return False
    kept = set(b)
    return any(_key(line) not in kept and _key(line) not in deletable
               for line in ours)


def _finish(ours, merged, tail):
    text = ''.join(line.prefix + line.text for line in merged) + tail
    if texts.parse_python(text) is None:
        raise Conflict('the change, ported onto our version of the test, '
                       'does not parse')
    _check_names(ours, text)
    return text


def _positions(base, lines):
    """Where each of ``lines`` sits in ``base``'s coordinates.

    A line equal to a base line takes its index; lines inserted before
    base line i, or put in place of base lines i..j, are spread just
    before i, in their order.  Sorting two sides' lines by it interleaves
    them as they were written.
    """
    keys = [_key(line) for line in lines]
    matcher = difflib.SequenceMatcher(None, base, keys, autojunk=False)
    found = [0.0] * len(lines)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        count = j2 - j1
        for k in range(count):
            if tag == 'equal':
                found[j1 + k] = float(i1 + k)
            else:
                found[j1 + k] = i1 - 0.5 + 0.5 * k / max(count, 1)
    return found


def _resolve(base, ours, theirs, known, renames):
    """A conflict region: the three rules of the module docstring."""
    base_keys = set(base)
    ours_keys = {_key(line) for line in ours}
    their_keys = {_key(line) for line in theirs}
    renamed = renames.drift
    their_keys |= {renamed[_key(line)] for line in theirs
                   if _key(line) in renamed}
    placed = []
    for position, line in zip(_positions(base, theirs), theirs):
        key = _key(line)
        if key in ours_keys:
            placed.append((position, 0, line))
        elif key in renamed and renamed[key] in ours_keys:
            # A line ours has as the reviewed version has it, renamed by
            # the review: the review's form (ours' is skipped below).
            placed.append((position, 0, line))
        elif key in base_keys or key in known or key in renamed:
            continue            # rule 2: drift
        else:
            placed.append((position, 0, line))   # rule 3: the review's own
    deletable = renames.deletable
    for position, line in zip(_positions(base, ours), ours):
        key = _key(line)
        if key in their_keys or key in base_keys and (
                deletable is None or key in deletable):
            continue            # present, or removed by the review
        # Rule 1: only ours has it (under the review's names).
        placed.append((position, 1, renames.forward(line)))
    return [line for _p, _side, line in sorted(placed, key=lambda t: t[:2])]


def _shape(line):
    """(tokens with names masked, names) of one logical line."""
    try:
        tokens = list(tokenize.generate_tokens(
            io.StringIO(textwrap.dedent(line.text)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None, ()
    shape, names = [], []
    for token in tokens:
        if token.type == tokenize.NAME and not keyword.iskeyword(
                token.string):
            shape.append('N')
            names.append(token.string)
        elif token.type not in (tokenize.COMMENT, tokenize.NL,
                                tokenize.NEWLINE, tokenize.INDENT,
                                tokenize.DEDENT, tokenize.ENDMARKER):
            shape.append(token.string)
    return tuple(shape), tuple(names)


class _Renames(object):
    """Locals the review renamed in the version it listed.

    A listing of another version in which the review renamed a local
    carries that version's lines under the new name: drift as much as the
    lines it left alone (``drift``: {key: original key}), and the lines
    only ours has must read the new name too (:meth:`forward`).  Renames
    are read off the review's lines that have the shape of a line of ours
    (the same tokens, other names); they count only when undoing them
    turns two lines or more into known ones (one changed argument is a
    real change, not a rename).
    """

    def __init__(self, base, ours, theirs, known):
        self.back, self.drift = {}, {}
        base = set(base)
        ours_keys = {_key(line) for line in ours}
        novel = [line for line in theirs if _key(line) not in ours_keys and
                 _key(line) not in known and _key(line) not in base]
        shapes = {}
        for line in ours:
            shape, names = _shape(line)
            shapes.setdefault(shape, []).append(names)
        back = {}
        for line in novel:
            shape, names = _shape(line)
            for old_names in shapes.get(shape, ()):
                for old, new in zip(old_names, names):
                    if old != new:
                        back.setdefault(new, set()).add(old)
        back = {new: olds.pop() for new, olds in back.items()
                if len(olds) == 1}
        drift = {}
        for line in novel:
            original = _unrename(line, back) if back else None
            if original and (original in base or original in known):
                drift[_key(line)] = original
        if len(drift) >= 2:
            self.back, self.drift = back, drift

    def forward(self, line):
        """``line`` with the renamed names given their new spelling."""
        if not self.back:
            return line
        ahead = {old: new for new, old in self.back.items()}
        text = _rename_tokens(line.text, ahead)
        if text is None or text == line.text:
            return line
        return Line(line.digest, text, line.prefix, line.first)


def _rename_tokens(text, mapping):
    """``text`` with NAME tokens renamed by ``mapping``, spacing kept."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    lines = text.splitlines(True)
    for token in reversed(tokens):
        if token.type == tokenize.NAME and token.string in mapping and \
                token.start[0] == token.end[0]:
            row, col = token.start
            line = lines[row - 1]
            lines[row - 1] = (line[:col] + mapping[token.string] +
                              line[token.end[1]:])
    return ''.join(lines)


def _unrename(line, back):
    """The digest of ``line`` with the names in ``back`` put back."""
    try:
        tokens = list(tokenize.generate_tokens(
            io.StringIO(textwrap.dedent(line.text)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    tokens = [t._replace(string=back.get(t.string, t.string))
              if t.type == tokenize.NAME else t for t in tokens]
    comparable = quotes.comparable_lines(tokenize.untokenize(tokens))
    return quotes.line_digest(comparable[0]) if len(comparable) == 1 \
        else None


def _check_names(ours, merged):
    """A name read in a function must be bound there if ours bound it.

    A review that renames a local in the version it read leaves the lines
    only ours has reading the old name: that is a conflict, not a
    proposal that breaks.
    """
    before = assertions.bound_and_read(ours)
    after = assertions.bound_and_read(merged)
    for name, (bound, read) in after.items():
        if name not in before:
            continue
        lost = sorted((read & before[name][0]) - bound)
        if lost:
            raise Conflict(
                'ported onto our version of the test, %s still reads %s, '
                'which the change no longer binds (lines only our version '
                'has use it)' % (name, ', '.join('`%s`' % n for n in lost)))


def _assertion_calls(source):
    """Counter of the assertion calls (``assert*``, ``fail``) in source."""
    found = collections.Counter()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if assertions.is_assertion_call(node):
            found[assertions.call_name(node)] += 1
    return found


def keeps_assertions(ours, theirs, merged):
    """Raise port.Conflict when the merge lost an assertion both kept.

    ``theirs`` is what the review's listing makes of ours; an assertion
    call that ours and it both make at least N times must be made N times
    in the merge.  A three-way merge of a listing that renamed or
    reflowed the lines around an assertion can drop it although neither
    side did: that is a conflict, never a weaker test.
    """
    counts = [_assertion_calls(text) for text in (ours, theirs, merged)]
    if None in counts:
        return
    mine, yours, got = counts
    lost = sorted(name for name in mine
                  if got[name] < min(mine[name], yours[name]))
    if lost:
        raise Conflict('the merge would drop %s, which ours and the '
                       'review both keep' % ', '.join(lost))
