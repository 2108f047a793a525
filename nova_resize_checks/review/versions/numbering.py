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


"""Line numbers of other versions: "line N" of the version a review read,
mapped to our line that holds its counterpart.
"""

import ast
import collections
import difflib

from nova_resize_checks import assertions
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes


def _digest(line):
    """A line's fingerprint, layout aside (as known_versions keeps them)."""
    return quotes.line_digest(' '.join(line.split()))


def _lines_by_digest(test):
    """{digest: [line numbers]} of the test's lines."""
    found = collections.defaultdict(list)
    for i, text in enumerate(test):
        found[_digest(text)].append(i + 1)
    return found


def line_of_known_version(number, code, ref_lines, reviewed=None,
                          named=None):
    """Where "change line ``number`` to ``code``" points in the test.

    With the reviewed version's lines (``--reviewed``): where its line
    ``number`` (brought to today's helper dialect) is in the test, when it
    is there once.  Without: line ``number`` of each known upstream
    version (after porting) that the test has exactly once is a candidate,
    and so is the test's own line ``number``; the candidate closest to
    ``code`` wins (a new line replaces its closest counterpart), when it
    is clearly closer than the test's own line and alone at its score.
    ``named``: the known version the review names (by its commit): then
    only that version's line ``number`` counts, however close.
    Returns ``(line in the test, version)``, or ``(None, None)`` for the
    test's own numbering.
    """
    if not ref_lines:
        return None, None
    test = ref_lines[0]
    if reviewed is not None:
        return _line_of_reviewed(number, test, reviewed)
    want = ' '.join(quotes.port_dialect(code).split())
    own = ' '.join(test[number - 1].split()) if 1 <= number <= len(test) \
        else ''
    if own == want:
        return None, None
    candidates = _line_candidates(number, test, named)
    if not candidates:
        return None, None
    line = next(iter(candidates)) if named else \
        _closest_line(candidates, test, own, want)
    return (line, candidates[line]) if line is not None else (None, None)


def _line_of_reviewed(number, test, reviewed):
    """Where the reviewed version's line ``number`` is in the test, once."""
    if not 1 <= number <= len(reviewed):
        return None, None
    old = ' '.join(quotes.port_dialect(reviewed[number - 1]).split())
    found = [i + 1 for i, text in enumerate(test)
             if old and ' '.join(text.split()) == old]
    return (found[0], 'reviewed') if len(found) == 1 else (None, None)


def _line_candidates(number, test, named):
    """{line of the test: version} for the known versions' line ``number``.

    A version counts when the test has that line exactly once (elsewhere
    than line ``number``, unless the version is ``named``).
    """
    by_digest = _lines_by_digest(test)
    candidates = {}
    for version, digests in sorted(
            known_versions.PORTED_LINE_DIGESTS.items()):
        if not 1 <= number <= len(digests) or named not in (None, version):
            continue
        found = by_digest.get(digests[number - 1], [])
        if len(found) == 1 and (found[0] != number or named):
            candidates.setdefault(found[0], version)
    return candidates


def _closest_line(candidates, test, own, want):
    """The candidate line closest to ``want``, or None.

    It must be alone at its score and clearly closer than the test's own
    line.
    """
    own_score = likeness(own, want)
    scored = sorted(((likeness(' '.join(test[line - 1].split()), want),
                      line) for line in candidates), reverse=True)
    best, line = scored[0]
    # A statement cannot be the new form of a blank or comment line: then
    # any candidate that is somewhat alike will do.
    floor = 0.25 if not own or own.startswith('#') else 0.5
    if best < floor or best < own_score + 0.2 or (
            len(scored) > 1 and scored[1][0] == best):
        return None
    return line


def our_line(number, ref_lines, reviewed=None, named=None):
    """Our line holding line ``number`` of the version a review read.

    With the reviewed version's lines (``--reviewed``) or a known version
    the review names: its line ``number`` (in today's helper dialect) when
    the test has it exactly once.  Otherwise the review numbers our lines.
    None when there is no such line.
    """
    if not ref_lines:
        return None
    test = ref_lines[0]
    if reviewed is not None or named is not None:
        if reviewed is not None:
            if not 1 <= number <= len(reviewed):
                return None
            key = _digest(quotes.port_dialect(reviewed[number - 1]))
        else:
            digests = known_versions.PORTED_LINE_DIGESTS.get(named, ())
            if not 1 <= number <= len(digests):
                return None
            key = digests[number - 1]
        found = _lines_by_digest(test).get(key, [])
        return found[0] if len(found) == 1 else None
    return number if 1 <= number <= len(test) else None


def our_range(first, end, ref_lines, reviewed=None, named=None):
    """Our lines ``(a, b)`` for lines ``first``-``end`` a review numbers.

    None when there are none.
    Without the reviewed version's lines or a named known version, the
    review numbers our lines.  With one, its lines must be ours (see
    :func:`_mapped_range`; a single line as :func:`our_line`): a line only
    that version has has no place here, and nothing is guessed.
    """
    if not ref_lines:
        return None
    if reviewed is None and named is None:
        return (first, end) if 1 <= first <= end <= len(ref_lines[0]) \
            else None
    if first == end:
        line = our_line(first, ref_lines, reviewed, named)
        return (line, line) if line else None
    for _version, digests in _range_versions(reviewed, named):
        if end <= len(digests):
            return _mapped_range(digests, first, end, ref_lines[0])
    return None


def _mapped_range(digests, first, end, test):
    """Our lines holding lines ``first``-``end`` of a version (by digest).

    Blank lines are skipped; the others must be in the test once each, in
    order, most of them (comments of other versions are not ours).
    """
    by_digest = _lines_by_digest(test)
    blank = _digest('')
    wanted = [d for d in digests[first - 1:end] if d != blank]
    found = [by_digest[d][0] for d in wanted if len(by_digest[d]) == 1]
    if not found or 2 * len(found) < len(wanted) or \
            found != sorted(set(found)):
        return None
    return found[0], found[-1]


def _whole_statements(test, first, end):
    """Whether lines ``first``-``end`` of the test are whole statements."""
    tree = texts.parse_python('\n'.join(test))
    if tree is None or not 1 <= first <= end <= len(test):
        return False
    spans = [(node.lineno, node.end_lineno) for node in ast.walk(tree)
             if isinstance(node, ast.stmt)]
    return any(a == first for a, _ in spans) and any(
        b == end for _, b in spans)


def range_of_known_version(first, end, code, ref_lines, reviewed=None,
                           named=None):
    """Where "replace lines ``first``-``end`` with ``code``" points.

    Like line_of_known_version for a range: ``(first, end)`` in the test,
    or None for the test's own numbering.  The reviewed version or the
    named one decides when known; otherwise a known version whose lines
    there are statements of the test is taken when the test's own lines
    there are not whole statements, or when its lines are clearly closer
    to ``code``.
    """
    if not ref_lines or first >= end:
        return None
    test = ref_lines[0]
    candidates = {}
    for version, digests in sorted(_range_versions(reviewed, named)):
        if end <= len(digests):
            mapped = _mapped_range(digests, first, end, test)
            if mapped and mapped != (first, end):
                candidates.setdefault(mapped, version)
    if not candidates:
        return None
    if reviewed is not None or named is not None:
        return next(iter(candidates))
    return _closest_range(first, end, code, test, candidates)


def _range_versions(reviewed, named):
    """``(version, line digests)`` of the versions a range may be of."""
    if reviewed is not None:
        return [('reviewed', [_digest(quotes.port_dialect(line))
                              for line in reviewed])]
    return [(version, digests) for version, digests in
            known_versions.PORTED_LINE_DIGESTS.items()
            if named in (None, version)]


def _closest_range(first, end, code, test, candidates):
    """The candidate range closest to ``code``, alone at its score.

    Taken when the test's own lines ``first``-``end`` are not whole
    statements, or when it is clearly closer than they are; else None.
    """
    want = ' '.join(quotes.port_dialect(code).split())

    def closeness(a, b):
        return likeness(' '.join(' '.join(test[a - 1:b]).split()), want)

    scored = sorted(((closeness(a, b), (a, b)) for a, b in candidates),
                    reverse=True)
    if len(scored) > 1 and scored[0][0] <= scored[1][0]:
        return None
    if not _whole_statements(test, first, end) or \
            scored[0][0] >= closeness(first, end) + 0.2:
        return scored[0][1]
    return None


def new_form_of(source, line, code):
    """Whether statement ``code`` reads as a new form of ``line``'s.

    The statement of ``source`` covering ``line`` and ``code`` are both
    assertion calls (one assertion for another), or assign the same
    names, or are alike as text (:func:`likeness` at least 0.5).
    """
    tree = texts.parse_python(source, dedent=False)
    new = texts.parse_python(code)
    if tree is None or new is None or len(new.body) != 1:
        return False
    covering = [node for node in ast.walk(tree)
                if isinstance(node, ast.stmt) and
                not isinstance(node, _COMPOUND) and
                node.lineno <= line <= node.end_lineno]
    if not covering:
        return False
    old, new = covering[-1], new.body[0]
    if all(isinstance(node, ast.Expr) and
           assertions.is_assertion_call(node.value) for node in (old, new)):
        return True
    if isinstance(old, ast.Assign) and isinstance(new, ast.Assign):
        return _targets(old) == _targets(new)
    return likeness(' '.join(ast.unparse(old).split()),
                    ' '.join(ast.unparse(new).split())) >= 0.5


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If,
             ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith,
             ast.Try)


def _targets(node):
    return sorted(ast.dump(target) for target in node.targets)


def likeness(a, b):
    """How alike two lines of code are, 0 to 1."""
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def reference_line(ref_lines, number, fragment):
    """Line ``number`` of the first reference holding ``fragment`` there."""
    for lines in ref_lines:
        if 1 <= number <= len(lines) and fragment in lines[number - 1]:
            return lines[number - 1]
    return None
