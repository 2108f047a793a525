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

import collections
import difflib

from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes


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
        if not 1 <= number <= len(reviewed):
            return None, None
        old = ' '.join(quotes.port_dialect(reviewed[number - 1]).split())
        found = [i + 1 for i, text in enumerate(test)
                 if old and ' '.join(text.split()) == old]
        return (found[0], 'reviewed') if len(found) == 1 else (None, None)
    want = ' '.join(quotes.port_dialect(code).split())
    own = ' '.join(test[number - 1].split()) if 1 <= number <= len(test) \
        else ''
    if own == want:
        return None, None
    by_digest = collections.defaultdict(list)
    for i, text in enumerate(test):
        by_digest[quotes.line_digest(' '.join(text.split()))].append(i + 1)
    candidates = {}
    for version, digests in sorted(
            known_versions.PORTED_LINE_DIGESTS.items()):
        if not 1 <= number <= len(digests) or named not in (None, version):
            continue
        found = by_digest.get(digests[number - 1], [])
        if len(found) == 1 and (found[0] != number or named):
            candidates.setdefault(found[0], version)
    if not candidates:
        return None, None
    if named:
        line = next(iter(candidates))
        return line, candidates[line]
    own_score = likeness(own, want)
    scored = sorted(((likeness(' '.join(test[line - 1].split()), want),
                      line) for line in candidates), reverse=True)
    best, line = scored[0]
    if best < 0.5 or best < own_score + 0.2 or (
            len(scored) > 1 and scored[1][0] == best):
        return None, None
    return line, candidates[line]


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
