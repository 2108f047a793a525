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
    entry.  Works on code that does not parse.  Linear in its input.
    """
    out = []
    cur = []
    depth = 0
    quote = None
    for line in code.split('\n'):
        if quote is None and depth == 0 and not cur:
            s = line.strip()
            if not s or s.startswith('#'):
                continue
        i = 0
        n = len(line)
        while i < n:
            c = line[i]
            if quote:
                if c == '\\' and i + 1 < n:
                    cur.append(line[i:i + 2])
                    i += 2
                    continue
                if line.startswith(quote, i):
                    cur.append(quote)
                    i += len(quote)
                    quote = None
                    continue
                cur.append(c)
                i += 1
                continue
            if c == '#':
                break
            if c in '\'"':
                quote = c * 3 if line.startswith(c * 3, i) else c
                cur.append(quote)
                i += len(quote)
                continue
            if c in '([{':
                depth += 1
            elif c in ')]}':
                depth = max(0, depth - 1)
            if not c.isspace():
                cur.append(c)
            i += 1
        if quote is not None and len(quote) == 1:
            quote = None
        joined = bool(cur) and cur[-1] == '\\' and quote is None
        if joined:
            cur.pop()
        if quote is None and depth == 0 and not joined and cur:
            out.append(''.join(cur))
            cur = []
        elif quote is not None:
            cur.append('\n')
    if cur:
        out.append(''.join(cur))
    return out


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


def is_elided_quotation(code, normalised_refs):
    """Whether ``code`` quotes one reference, with parts left out.

    Each run of lines between elisions ("# ...", a bare ``...``, "# rest
    unchanged") is, normalised, a piece of the same reference.  At least
    two lines must be quoted: one common line proves nothing.
    """
    runs, run = [], []
    for line in code.split('\n'):
        if texts.ELISION_RE.match(line) or line.strip() in ('...', '\u2026'):
            runs.append(run)
            run = []
        else:
            run.append(line)
    runs.append(run)
    pieces = [piece for piece in (comparable_lines('\n'.join(lines))
                                  for lines in runs) if piece]
    if sum(len(piece) for piece in pieces) < 2:
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
