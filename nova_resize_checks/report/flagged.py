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


"""The flagged claims of a review document, each with where it sits.

For the writers that put a verdict on a line (``--format sarif`` and
``--format gerrit``).  A flagged review's *claims* are its applied
changes whose own runs give a flagged verdict (a change judged alone,
or the only change: its runs are the review's); the review as a whole is
flagged too when none of them carries the review's verdict (code the
static gate refused before anything ran, changes that break the test
only together).  Verdicts are :func:`review.verdict.judge_runs`'s, read
from the document's run results; the evidence is the runs (or static
gate findings) that decided them, as the document states them.

A claim sits in a reviewer's comment when the review was read from a
review system's comments (the review's ``comments`` in the document:
``id``, ``path``, ``line``-``end_line``, 0 for the whole file,
``author`` and the ``span`` of review lines it was rendered into) and
the claim's review lines lie inside that comment's; otherwise it sits in
the review file, at its first line (a whole-review flag at line 1).
"""

import dataclasses
import typing

from nova_resize_checks.report import safe
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.runs import results as runs

# Evidence lines longer than this are cut (a failing assertion can quote
# a whole allocation dump).
MAX_EVIDENCE = 500
# Static gate findings quoted for an ``unsafe`` review.
MAX_FINDINGS = 3


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a flag is shown: a commented file's line, or the review's."""
    path: str
    line: int              # 1-based; 0 for the whole file
    end_line: int = 0      # last line when more than one, else 0
    comment_id: str = ''   # the reviewer's comment it sits in, if any
    author: str = ''

    @property
    def in_review(self):
        """True when this is the review file itself, not a comment's."""
        return not self.comment_id


@dataclasses.dataclass(frozen=True)
class Flag:
    """One flagged claim of a review (``claim`` 0: the whole review)."""
    review: str
    verdict: str
    reason: str
    evidence: typing.Tuple[str, ...]
    place: Place
    claim: int = 0
    kind: str = ''
    summary: str = ''
    span: typing.Optional[typing.Tuple[int, int]] = None


def by_review(document):
    """The flags of each flagged review of ``document``: lists, in order."""
    caught = list(document.get('caught_by_canonical', []))
    return [review_flags(review, caught)
            for review in document.get('reviews', [])
            if review.get('flagged')]


def flags(document):
    """Every flag of ``document`` (see :func:`by_review`)."""
    return [flag for found in by_review(document) for flag in found]


def review_flags(review, caught):
    """The flags of one flagged review (a document review dictionary)."""
    path = review['path']
    comments = review.get('comments') or []
    claims = [_claim_flag(review, number, change, verdict, reason,
                          comments)
              for number, change, verdict, reason in _claims(review,
                                                             caught)]
    if any(flag.verdict == review['verdict'] for flag in claims):
        return claims
    whole = Flag(review=path, verdict=review['verdict'],
                 reason=review.get('reason', ''),
                 evidence=tuple(evidence(review['verdict'],
                                         review.get('proposed', {}),
                                         review.get('findings', []))),
                 place=Place(path, 1))
    return [whole] + claims


def _claims(review, caught):
    """(number, change, verdict, reason) of each flagged claim."""
    proposed = review.get('proposed', {})
    applied = [c for c in review.get('changes', []) if c.get('applied')]
    if len(applied) > 1 and all(c.get('outcomes') == proposed
                                for c in applied):
        # Too many to judge one by one: they share the review's runs.
        return
    for number, change in enumerate(review.get('changes', []), 1):
        outcomes = change.get('outcomes') or {}
        if not change.get('applied') or not outcomes:
            continue
        verdict, reason = verdict_mod.judge_runs(_results(outcomes), caught)
        if outcomes == proposed and verdict == review['verdict']:
            # The review's own runs: its reason says more (what catches
            # the surviving mutants in the canonical test).
            reason = review.get('reason') or reason
        if verdict in verdict_mod.FLAGGED:
            yield number, change, verdict, reason


def _claim_flag(review, number, change, verdict, reason, comments):
    span = tuple(change['span']) if change.get('span') else None
    return Flag(review=review['path'], verdict=verdict, reason=reason,
                evidence=tuple(evidence(verdict, change['outcomes'])),
                place=place(review['path'], span, comments),
                claim=number, kind=change.get('kind', ''),
                summary=change.get('summary') or '', span=span)


def _results(outcomes):
    return {variant: runs.RunResult.from_dict(data)
            for variant, data in outcomes.items()}


def place(review_path, span, comments=()):
    """The comment ``span`` (review lines) lies in, or the review file."""
    if span:
        for comment in comments:
            inside = comment.get('span')
            if inside and comment.get('path') and \
                    inside[0] <= span[0] and span[1] <= inside[1]:
                return _comment_place(comment)
    return Place(review_path, max(1, span[0]) if span else 1,
                 span[1] if span and span[1] > span[0] else 0)


def _comment_place(comment):
    line = max(0, comment.get('line') or 0)
    end = comment.get('end_line') or 0
    return Place(safe.line(comment['path']), line,
                 end if end > line > 0 else 0,
                 safe.line(comment.get('id') or '?'),
                 safe.line(comment.get('author') or ''))


def evidence(verdict, outcomes, findings=()):
    """Lines: the runs (or gate findings) that decided ``verdict``.

    ``outcomes``: {variant: run result dictionary} of the version judged.
    """
    results = _results(outcomes)
    if verdict == verdict_mod.BREAKS:
        chosen = [runs.REAL] if runs.REAL in results else []
    elif verdict == verdict_mod.WEAKENS:
        chosen = [v for v in sorted(results) if _survives(v, results[v])]
    elif verdict == verdict_mod.UNSAFE:
        chosen = [v for v in sorted(results)
                  if results[v].outcome == runs.REFUSED][:1] or \
            _sham(results)
    else:
        chosen = []
    lines = [run_line(v, outcomes[v]) for v in chosen]
    if verdict == verdict_mod.UNSAFE and not lines:
        lines = [_cut(safe.line(f['message'])) for f in findings
                 if f.get('kind') == 'unsafe-code'][:MAX_FINDINGS]
    return lines


def _survives(variant, result):
    """A mutant run the proposed version did not catch."""
    if variant in (runs.REAL, runs.SHAM) or result.known or \
            result.outcome == runs.SKIPPED:
        return False
    return result.outcome == runs.PASS or \
        not verdict_mod.catches(variant, result)


def _sham(results):
    real, sham = results.get(runs.REAL), results.get(runs.SHAM)
    if real is not None and sham is not None and \
            sham.outcome not in (runs.SKIPPED, real.outcome):
        return [runs.SHAM]
    return []


def run_line(variant, result):
    """One run result as the text report words it."""
    line = '%s: %s' % (safe.line(variant), result['outcome'])
    if result['outcome'] == runs.PASS:
        return line
    if result.get('failing_line'):
        line += ' at line %d `%s`' % (result['failing_line'],
                                      safe.line(result['failing_code']))
    return _cut(line + ': ' + safe.line(result.get('evidence', '')))


def _cut(text):
    if len(text) <= MAX_EVIDENCE:
        return text
    return text[:MAX_EVIDENCE - 12] + ' ... (cut)'


def text(flag):
    """The verdict, reason, evidence and claim of ``flag``, as lines."""
    lines = ['%s: %s' % (flag.verdict, safe.line(flag.reason))]
    lines.extend('evidence: %s' % line for line in flag.evidence)
    if flag.claim:
        where = ', review lines %d-%d' % flag.span if flag.span else ''
        lines.append('claim %d (%s%s): %s' % (
            flag.claim, flag.kind, where, safe.line(flag.summary or '-')))
    else:
        lines.append('the review as a whole (no one claim decides it)')
    return lines
