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


"""Which version a review's line numbers count: the code it names there.

A gerrit comment "PS2, Line 72:" or a sentence "... (line 69), the old
flavor is gone -- assertFlavorMatchesAllocation fails ..." numbers the
lines of the version its writer read.  The names of code the same
paragraph mentions tell which version has them on that line: upstream's
fixed version has ``assertFlavorMatchesAllocation`` on line 69, ours has
``_start_compute`` there.  A version scores a reference when one of its
lines there holds a name the paragraph mentions that few lines of the
test hold; the version alone at the best score, with at least one, is the
one the numbers count; so are versions tied at it whose lines the
review names are the same (the 2019 versions share their first 60
lines).  Known upstream versions keep line digests only
(:mod:`.known_versions`): their line's text is the text of a line with the
same digest in ours or in upstream's installed copy, and unknown when no
such line exists.  A line whose digest differs from its digest in today's
helper dialect holds the 2019 dialect (``self.admin_api``): "Line 43:
admin_api is needed here" names it.
"""

import collections
import re

from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes

# "Line 72", "PS2, Line 69", "lines 71-74", "line 84 to 85".
_LINE_RE = re.compile(r'\blines?\s+(?P<first>\d{1,4})'
                      r'(?:\s*(?:-|\u2013|to)\s*(?P<end>\d{1,4}))?', re.I)
# A name as code writes it: snake_case, camelCase or with a digit.
_NAME_RE = re.compile(r'\b[A-Za-z_]\w*\b')
# A name counts when at most this many lines of the test hold it.
MAX_LINES_WITH_NAME = 3
# A range wider than this names no particular code.
MAX_RANGE = 8
# References read per review: enough for any real one, and the work stays
# linear in the review's size.
MAX_REFERENCES = 200


def _codelike(name):
    return len(name) >= 4 and (
        '_' in name.strip('_') or re.search(r'[a-z][A-Z]', name)
        or re.search(r'[A-Za-z]\d', name))


def _digest(line):
    return quotes.line_digest(' '.join(line.split()))


# What a line in the 2019 helper dialect is known to hold.
_DIALECT = ' self.admin_api self.api'


def _version_lines(sources):
    """{version: [line text or None]} for ours and the known versions."""
    ours = (sources.get('test') or '').split('\n')
    found = {'ours': ours}
    by_digest = {}
    for source in (sources.get('upstream') or '', sources.get('test') or ''):
        for line in source.split('\n'):
            by_digest[_digest(line)] = line
    for version, digests in known_versions.LINE_DIGESTS.items():
        ported = known_versions.PORTED_LINE_DIGESTS[version]
        found[version] = [
            by_digest.get(raw) or (by_digest[new] + _DIALECT
                                   if new != raw and new in by_digest
                                   else None)
            for raw, new in zip(digests, ported)]
    return found


def _same_lines(versions, references):
    """Whether ``versions`` hold the same lines where the review points."""
    for first, end, _paragraph in references:
        seen = set()
        for version in versions:
            digests = known_versions.PORTED_LINE_DIGESTS.get(version)
            if digests is None or end > len(digests):
                return False
            seen.add(tuple(digests[first - 1:end]))
        if len(seen) > 1:
            return False
    return True


def _references(text):
    """``[(first, end, paragraph)]``: the lines the review numbers."""
    found = []
    for paragraph in re.split(r'\n[ \t]*\n', text or ''):
        for m in _LINE_RE.finditer(paragraph):
            first = int(m.group('first'))
            end = int(m.group('end') or first)
            if first <= end <= first + MAX_RANGE:
                found.append((first, end, paragraph))
                if len(found) >= MAX_REFERENCES:
                    return found
    return found


def _rare_names(paragraph, lines):
    """The code-like names of ``paragraph`` that few lines hold.

    Few: at most MAX_LINES_WITH_NAME lines of every version holding it,
    and some version holds it.
    """
    names = {n for n in _NAME_RE.findall(paragraph) if _codelike(n)}
    found = set()
    for name in names:
        counts = [sum(1 for line in texts if line and name in line)
                  for texts in lines.values()]
        if any(counts) and max(counts) <= MAX_LINES_WITH_NAME:
            found.add(name)
    return found


def numbered_version(text, sources):
    """``(version, why)`` whose numbering the review's lines follow.

    ``(None, None)`` when no version is alone at the best score, or the
    best is ours.
    """
    lines = _version_lines(sources)
    scores = collections.Counter()
    shown = {}
    names_of = {}
    references = _references(text)
    for first, end, paragraph in references:
        if paragraph not in names_of:
            names_of[paragraph] = _rare_names(paragraph, lines)
        names = names_of[paragraph]
        if not names:
            continue
        for version, texts in lines.items():
            held = sorted(n for n in names
                          for line in texts[first - 1:end]
                          if line is not None and n in line)
            if held:
                scores[version] += 1
                shown.setdefault(version, (first, end, held[0]))
    if not scores:
        return None, None
    ranked = scores.most_common()
    best, score = ranked[0]
    tied = sorted(v for v, n in ranked if n == score)
    if 'ours' in tied or not _same_lines(tied, references):
        return None, None
    # Tied versions that agree where the review points number alike:
    # the fix commit's stands for them.
    best = 'fixed' if 'fixed' in tied else tied[0]
    first, end, name = shown[best]
    place = ('line %d' % first if first == end
             else 'lines %d-%d' % (first, end))
    return best, ('its line numbers follow the %s version (%s there holds '
                  '`%s`, which the review names with it)'
                  % (best, place, name))
