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


"""Which version of the test a review was written against, and why.

The candidates are ours, upstream's installed copy ("upstream-current"),
the fix commit's version ("fixed"), the 2019 recreate version
("recreate") and the file given with ``--reviewed`` ("reviewed").  The
evidence, strongest first:

1. ``--reviewed``: the user said so;
2. the review names a known version's commit ("reviewed at f4bb672106");
3. the code it shows (fences, listings, the old side of its diffs):
   each version scores the quoted lines that it has and that not every
   version has; the best score wins, ours on a tie;
4. when it quotes nothing that tells versions apart: the code it names
   next to its line numbers (:mod:`.line_evidence`).

A review that quotes nothing distinguishing was written against ours, as
far as anyone can tell: its changes apply to ours directly.
"""

import collections

from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import port
from nova_resize_checks.review.versions import quotes

OURS = 'ours'
# Tie order: a quotation both ours and another version hold is ours.
ORDER = (OURS, 'reviewed', 'upstream-current', 'fixed', 'recreate')

# digests: the reviewed version's, the base of the three-way port (None:
# no port); numbering: the known version whose line numbers the review's
# "line N" count (named by its commit, or told by the code it names on its
# lines), or None for ours.
Identified = collections.namedtuple('Identified',
                                    'name digests why deletable numbering')
Identified.__new__.__defaults__ = (None, None)


def candidates(references):
    """{name: digest tuple} of every version known for these references."""
    found = {}
    for name, source in (('ours', references.get('test')),
                         ('upstream-current', references.get('upstream')),
                         ('reviewed', references.get('reviewed'))):
        if isinstance(source, str) and source:
            digests = port.digests(source)
            if digests:
                found[name] = digests
    for name, digests in known_versions.FINGERPRINTS.items():
        found[name] = tuple(digests)
    return found


def _quoted_code(parsed):
    """The code a review shows, as the reviewed version had it."""
    for block in parsed.blocks:
        if block.kind not in ('fence', 'listing'):
            continue
        text = block.text
        if diffs.looks_like_diff(text):
            # The old side of a diff is the reviewed version's.
            text = '\n'.join(line[1:] for line in text.split('\n')
                             if line[:1] in (' ', '-') and
                             not line.startswith('---'))
        yield text


def identify(parsed, references, named=None, numbered=(None, None)):
    """The :class:`Identified` version ``parsed`` was written against.

    ``named``: the known version whose commit the review names;
    ``numbered``: ``(version, why)`` from :mod:`.line_evidence`.
    """
    versions = candidates(references)
    if 'reviewed' in versions:
        return Identified('reviewed', versions['reviewed'],
                          'named with --reviewed')
    if named in versions:
        return Identified(named, versions[named],
                          'the review names its commit (%s)'
                          % known_versions.COMMITS[named][:10],
                          numbering=named)
    everywhere = set.intersection(*(set(d) for d in versions.values()))
    quoted = collections.Counter()
    for code in _quoted_code(parsed):
        for line in quotes.comparable_lines(code):
            digest = quotes.line_digest(line)
            if digest not in everywhere:
                quoted[digest] += 1
    scores = {name: sum(n for d, n in quoted.items() if d in set(digests))
              for name, digests in versions.items()}
    best = max(ORDER, key=lambda name: (scores.get(name, -1),
                                        -ORDER.index(name)))
    if best == OURS or scores.get(best, 0) <= scores.get(OURS, 0):
        version, why = numbered
        if version in versions and not scores.get(OURS, 0):
            # Line numbers tell how the review counts lines, not which
            # code it saw: code it shows applies to ours as it stands (no
            # merge base, ``digests`` None), lines it numbers are that
            # version's.
            return Identified(version, None, why, numbering=version)
        why = ('it quotes %d line(s) only some versions have, %d of them '
               'ours' % (sum(quoted.values()), scores.get(OURS, 0))
               if quoted else 'it quotes no line that tells versions '
               'apart')
        return Identified(OURS, versions[OURS], why)
    # Versions that fit the quotations about as well: a removal may only
    # take a line all of them have.
    near = [name for name in versions if name != OURS and
            scores.get(name, 0) >= scores[best] - 1]
    deletable = frozenset.intersection(*(frozenset(versions[name])
                                         for name in near))
    why = ('of the %d quoted line(s) only some versions have, %d are in the '
           '%s version and %d in ours' % (sum(quoted.values()), scores[best],
                                          best, scores.get(OURS, 0)))
    return Identified(best, versions[best], why, deletable)


def known_digests(references):
    """Every digest of every known version (version drift, see port)."""
    found = set()
    for digests in candidates(references).values():
        found.update(digests)
    return frozenset(found)
