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


"""Compare code with the known versions: quotations and the helper dialect.

:func:`comparable_lines` normalises code (comments, whitespace and the
2019 helper dialect out) so that a review's quotation of any version
matches it; :func:`port_dialect` brings proposed code in the older
dialect to today's.
"""

import functools
import hashlib
import re

from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import known_versions


def logical_lines(code):
    """Normalise Python-ish code for comparison.

    Comment-only and blank lines go; whitespace outside string literals
    goes; a bracketed statement spread over several lines becomes one
    entry.  What a formatter such as black changes compares equal: a
    one-line string in double quotes with no quote or backslash inside
    reads as in single quotes, and a comma just before a closing bracket
    goes.  Works on code that does not parse.  Linear in its input.

    (Python's ``tokenize`` reads valid code so, but review quotations
    often are not: it rejects unclosed brackets and strings, and reads
    stray characters such as ``$`` or backquotes as separate tokens.)
    """
    reader = _LogicalLines()
    for line in code.split('\n'):
        if reader.between_statements():
            s = line.strip()
            if not s or s.startswith('#'):
                continue
        reader.read(line)
    return reader.finish()


class _LogicalLines(object):
    """What :func:`logical_lines` knows between physical lines."""

    def __init__(self):
        self.out = []       # the logical lines read
        self.cur = []       # pieces of the one being read
        self.depth = 0      # open brackets
        self.quote = None   # the open string literal's quote
        self.opened = None  # where in cur a '"' string opened

    def between_statements(self):
        return self.quote is None and self.depth == 0 and not self.cur

    def read(self, line):
        """One physical line: its pieces, then its end."""
        i = 0
        n = len(line)
        while i < n:
            if self.quote:
                i = self._string_piece(line, i)
            elif line[i] == '#':
                break
            else:
                i = self._code_piece(line, i)
        self._end_line()

    def _string_piece(self, line, i):
        """Inside a string: an escape pair, the closing quote or a char."""
        if line[i] == '\\' and i + 1 < len(line):
            self.cur.append(line[i:i + 2])
            return i + 2
        if line.startswith(self.quote, i):
            if self.opened is not None and not any(
                    piece in ("'", '\\') or piece.startswith('\\')
                    for piece in self.cur[self.opened + 1:]):
                self.cur[self.opened] = "'"
                self.cur.append("'")
            else:
                self.cur.append(self.quote)
            i += len(self.quote)
            self.quote = self.opened = None
            return i
        self.cur.append(line[i])
        return i + 1

    def _code_piece(self, line, i):
        """Outside strings: an opening quote, or a char (no whitespace)."""
        c = line[i]
        if c in '\'"':
            self.quote = c * 3 if line.startswith(c * 3, i) else c
            self.opened = len(self.cur) if self.quote == '"' else None
            self.cur.append(self.quote)
            return i + len(self.quote)
        if c in '([{':
            self.depth += 1
        elif c in ')]}':
            self.depth = max(0, self.depth - 1)
            if self.cur and self.cur[-1] == ',':
                self.cur.pop()      # a formatter's trailing comma
        if not c.isspace():
            self.cur.append(c)
        return i + 1

    def _end_line(self):
        """A single-quoted string ends with its line; a backslash joins."""
        if self.quote is not None and len(self.quote) == 1:
            self.quote = self.opened = None
        joined = bool(self.cur) and self.cur[-1] == '\\' and \
            self.quote is None
        if joined:
            self.cur.pop()
        if self.quote is None and self.depth == 0 and not joined and \
                self.cur:
            self.out.append(''.join(self.cur))
            self.cur = []
        elif self.quote is not None:
            self.cur.append('\n')

    def finish(self):
        if self.cur:
            self.out.append(''.join(self.cur))
        return self.out


# Upstream's 2019 helper dialect: the wait helpers took the API client
# first (``self._wait_for_state_change(self.admin_api, server, 'ERROR')``);
# nova 22 dropped that argument.  Lines compare without it.
_OLD_HELPER_ARG = re.compile(r'(\._wait_for_\w+\()self\.(?:admin_)?api,')


_OLD_HELPER_CALL = re.compile(
    r'(\._wait_for_\w+\(\s*)self\.(?:admin_)?api\s*,\s*')


def port_dialect(code):
    """Proposed code in the 2019 helper dialect, brought to today's.

    A review of upstream's recreate version proposes calls such as
    ``self._wait_for_state_change(self.admin_api, server, 'ERROR')``; run
    as written against today's nova they fail for a reason the review did
    not cause.  Only that argument is dropped.  Reviews also write
    TestCase assertions as bare calls (``assertEqual(a, b)`` for
    ``self.assertEqual(a, b)``): a statement that starts with one gets its
    ``self.`` back.
    """
    code = _OLD_HELPER_CALL.sub(r'\1', code)
    return _BARE_ASSERTION.sub(r'\1self.\2', code)


# A statement opening with a TestCase assertion method called bare.
_BARE_ASSERTION = re.compile(r'(?m)^([ \t]*)(assert[A-Z]\w*\()')


def comparable_lines(code):
    """logical_lines() with the older helper dialect brought to today's."""
    return [_OLD_HELPER_ARG.sub(r'\1', line) for line in logical_lines(code)]


def line_digest(line):
    """The fingerprint of one comparable line (see known_versions)."""
    return hashlib.sha256(line.encode('utf-8')).hexdigest()[:16]


def contains(haystack, needle):
    if not needle:
        return True
    first = needle[0]
    m = len(needle)
    for i in range(len(haystack) - m + 1):
        if haystack[i] == first and haystack[i:i + m] == needle:
            return True
    return False


def is_quotation(code, normalised_refs, known=True):
    """Whether ``code`` is, normalised, a piece of a reference.

    The references are the test, upstream's installed copy and the
    reviewed version; with ``known``, also the upstream versions of
    :mod:`known_versions`.  Code holding nothing but comments counts as a
    quotation too.
    """
    wanted = comparable_lines(code)
    if not wanted:
        return True
    if any(contains(ref, wanted) for ref in normalised_refs):
        return True
    if not known:
        return False
    digests = tuple(line_digest(line) for line in wanted)
    return any(contains(known, digests)
               for known in known_versions.FINGERPRINTS.values())


# Normalised characters one line must have to count as a quotation alone.
MIN_SINGLE_QUOTE = 40


def is_elided_quotation(code, normalised_refs):
    """Whether ``code`` quotes one reference, with parts left out.

    Each run of lines between elisions ("# ...", a bare ``...``, "# rest
    unchanged") is, normalised, a piece of the same reference.  At least
    two lines must be quoted, or one of :data:`MIN_SINGLE_QUOTE` characters
    (normalised): one short common line (``return server``) proves
    nothing, one long statement of nova's (a call with its arguments) is
    quoted.
    """
    runs, run = [], []
    for line in code.split('\n'):
        if texts.is_elision(line):
            runs.append(run)
            run = []
        else:
            run.append(line)
    runs.append(run)
    pieces = [piece for piece in (comparable_lines('\n'.join(lines))
                                  for lines in runs) if piece]
    lines = [line for piece in pieces for line in piece]
    if len(lines) < 2 and not (lines and
                               len(lines[0]) >= MIN_SINGLE_QUOTE):
        return False
    return any(all(contains(ref, piece) for piece in pieces)
               for ref in normalised_refs)


def restates_other_version(code, test_source):
    """Whether a proposed snippet restates a known upstream version.

    True when the lines it shares with the test are, in order, a
    contiguous run of upstream's recreate or fix version but not of the
    test: the review quotes that version, and statements the test has
    between them are not the review's to remove.
    """
    shared_test = comparable_lines(test_source)
    shared = [line for line in comparable_lines(code) if line in
              set(shared_test)]
    if len(shared) < 2 or contains(shared_test, shared):
        return False
    digests = tuple(line_digest(line) for line in shared)
    return any(contains(known, digests)
               for known in known_versions.FINGERPRINTS.values())


_COMMIT_RE = re.compile(r'\b[0-9a-f]{7,40}\b')


def named_version(text):
    """The known upstream version whose commit the review names, or None."""
    found = set()
    for m in _COMMIT_RE.finditer(text or ''):
        for version, commit in known_versions.COMMITS.items():
            if commit.startswith(m.group(0)):
                found.add(version)
    return found.pop() if len(found) == 1 else None


def normalised_references(reference_sources):
    return list(_normalised_references(tuple(
        src for src in (reference_sources or {}).values()
        if isinstance(src, str))))


@functools.lru_cache(maxsize=16)
def _normalised_references(sources):
    # The same few reference texts come with every review: work them out
    # once.  Callers get a fresh list; the items are not modified.
    return tuple(comparable_lines(src) for src in sources)
