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


"""The review document as text for people: one screen per review.

At the default verbosity each review gets its verdict and reason, the
evidence that decided it, what could not be read or applied, and one
line for the runs that were skipped; ``verbose`` adds every change with
every run, and the findings; ``explain`` also shows how each claim was
read and the proposed version's diff.  Every line is made safe to print
(:mod:`.safe`): review text cannot reach the terminal as control codes.
"""

import collections

from nova_resize_checks.report import safe

# At the default verbosity, at most this many lines per review (a screen
# holds 24): the rest is counted and left to -v.
MAX_LINES = 16
_READ_PROBLEMS = ('unparsed-claim', 'input-error', 'line-mismatch',
                  'unknown-name')


def headline(review):
    mark = 'FLAGGED' if review['flagged'] else 'ok'
    return '%-7s %-10s %s: %s' % (mark, review['verdict'],
                                  safe.line(review['path']),
                                  safe.line(review['reason']))


def _result_line(variant, result):
    extra = ''
    if result['outcome'] != 'pass':
        extra = ' - %s' % safe.line(result.get('evidence', ''))
        if result.get('failing_line'):
            extra = ' - line %d `%s`: %s' % (
                result['failing_line'], safe.line(result['failing_code']),
                safe.line(result.get('evidence', '')))
    return '%-22s %s%s' % (variant, result['outcome'] + (
        ' (known)' if result.get('known') else ''), extra)


def _runs(review):
    """Every (variant, result) of a review: its version's, its changes'."""
    proposed = review.get('proposed', {})
    found = list(proposed.items())
    for change in review.get('changes', []):
        # A change alone is its own version; the only change is the
        # review's version, whose runs are counted once.
        if change.get('outcomes') and change['outcomes'] != proposed:
            found.extend(change['outcomes'].items())
    return found


def _deciding(review):
    """The runs or findings that decided the verdict."""
    evidence = _EVIDENCE.get(review['verdict'])
    if evidence is None:
        return []
    return ['evidence: ' + line
            for line in evidence(review, review.get('proposed', {}))]


def _breaks_evidence(review, proposed):
    if 'real' in proposed:
        return [_result_line('real', proposed['real'])]
    return []


def _weakens_evidence(review, proposed):
    return [_result_line(variant, result)
            for variant, result in proposed.items()
            if variant != 'real' and result['outcome'] == 'pass' and
            not result.get('known')]


def _unsafe_evidence(review, proposed):
    refused = [(v, r) for v, r in _runs(review)
               if r['outcome'] == 'refused']
    if refused:
        return [_result_line(*refused[0])]
    return [safe.line(finding['message'])
            for finding in review.get('findings', [])
            if finding['kind'] == 'unsafe-code'][:3]


def _ok_evidence(review, proposed):
    if not proposed:
        return []
    ran = [v for v, r in proposed.items() if v != 'real' and
           r['outcome'] == 'fail']
    known = [v for v, r in proposed.items() if r.get('known')]
    return ['passes against real nova; fails against %d mutant(s) (%d '
            'known without running)' % (len(ran), len(known))]


# What decides each verdict, shown as its evidence lines.
_EVIDENCE = {'breaks': _breaks_evidence, 'weakens': _weakens_evidence,
             'unsafe': _unsafe_evidence, 'ok': _ok_evidence}


def _unread(review):
    """What could not be read or applied, one line each."""
    lines = []
    for index, change in enumerate(review.get('changes', []), 1):
        if not change['applied']:
            span = change['span']
            lines.append('not applied: change %d [%s, review lines %d-%d]: '
                         '%s' % (index, change['kind'], span[0], span[1],
                                 safe.line(change['reason'])))
    for finding in review.get('findings', []):
        if finding['kind'] in _READ_PROBLEMS:
            span = finding.get('span')
            where = (' (review lines %d-%d)' % tuple(span)) if span else ''
            lines.append('not read [%s]%s: %s' % (
                finding['kind'], where, safe.line(finding['message'])))
    return lines


def _skipped(review):
    """One line for every run left unrun, grouped by why."""
    why = collections.Counter()
    for _variant, result in _runs(review):
        if result['outcome'] == 'skipped':
            why[result.get('evidence', '').split(',')[0]] += 1
    if not why:
        return []
    total = sum(why.values())
    reasons = '; '.join('%d %s' % (count, safe.line(reason))
                        for reason, count in why.most_common())
    return ['%d run(s) skipped (%s)' % (total, reasons)]


def details(review):
    """Every change with its runs, and every finding (``-v``)."""
    lines = []
    if review.get('claims_no_defects') is not None or review.get('cwe_ids'):
        lines.append('review says: %s%s' % (
            'no defects' if review['claims_no_defects'] else
            'defects found', (' (%s)' % ', '.join(
                safe.line(c) for c in review['cwe_ids']))
            if review.get('cwe_ids') else ''))
    for index, change in enumerate(review.get('changes', []), 1):
        span = change['span']
        lines.append('change %d [%s, review lines %d-%d] %s: %s' % (
            index, change['kind'], span[0], span[1],
            'applied' if change['applied'] else 'NOT applied',
            safe.line(change['summary'] or change['reason'])))
        if not change['applied'] or change['reason']:
            lines.append('    %s' % safe.line(change['reason']))
        for variant, result in sorted(change.get('outcomes', {}).items()):
            lines.append('    ' + _result_line(variant, result))
    for finding in review.get('findings', []):
        span = finding.get('span')
        where = (' (review lines %d-%d)' % tuple(span)) if span else ''
        lines.append('finding [%s]%s: %s' % (
            finding['kind'], where, safe.line(finding['message'])))
    return lines


def explanation(review):
    """How each claim was read, and the proposed version's diff."""
    reviewed = review.get('reviewed_version') or {}
    lines = ['reviewed version: %s (%s)' % (
        safe.line(reviewed.get('name') or 'ours'),
        safe.line(reviewed.get('why') or '-'))]
    lines.extend('read: %s' % safe.line(note)
                 for note in review.get('read_notes', []))
    lines.append('read %d change(s) and %d finding(s)' % (
        len(review.get('changes', [])), len(review.get('findings', []))))
    for index, change in enumerate(review.get('changes', []), 1):
        span = change['span']
        lines.append('claim %d (review lines %d-%d, %s): %s' % (
            index, span[0], span[1], change['kind'],
            safe.line(change['summary'] or '-')))
        lines.append('  -> %s: %s' % (
            'applied' if change['applied'] else 'not applied',
            safe.line(change['reason'] or '-')))
    diff = review.get('diff')
    if diff is None:
        lines.append('proposed version: none (nothing could be applied)')
    elif not diff:
        lines.append('proposed version: the canonical test (no change)')
    lines.extend(safe.line(line) for line in diff or [])
    return lines


def review_lines(review, verbose=False, explain=False):
    """The lines for one review (the first is its headline)."""
    body = _deciding(review) + _unread(review)
    if verbose or explain:
        body += details(review)
    if explain:
        body += explanation(review)
    body += _skipped(review)
    if not (verbose or explain) and len(body) > MAX_LINES:
        hidden = len(body) - MAX_LINES + 1
        body = body[:MAX_LINES - 1] + [
            '... %d more line(s): -v shows them' % hidden]
    return [headline(review)] + ['  ' + line for line in body]


def lines(document, summary_extra=None, verbose=False, explain=False):
    """The whole report as lines of text."""
    out = ['problem: %s' % safe.line(p)
           for p in document['summary'].get('problems', [])]
    for review in document['reviews']:
        out.extend(review_lines(review, verbose, explain))
    runs = document.get('runs', {})
    caught = document.get('caught_by_canonical', [])
    out.append('')
    out.append('%d review(s), %d flagged; canonical test catches %s; '
               '%d run(s), %d from cache' % (
                   document['summary']['reviews'],
                   document['summary']['flagged'],
                   ', '.join(caught) or 'nothing', runs.get('runs', 0),
                   runs.get('cached', 0)))
    out.append('runs confined by %s; nova concurrency: %s%s' % (
        safe.line(document.get('confinement') or '?'),
        document.get('concurrency') or '?',
        '' if document.get('static_gate', True) else
        '; STATIC GATE OFF (test-only switch)'))
    out.extend(summary_extra or [])
    return out
