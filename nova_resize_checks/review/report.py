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


"""Render meta-check results: JSON, text for people, JUnit XML for CI.

Functions return strings or plain data; the CLI decides where they go.
"""

import collections
import difflib
import xml.etree.ElementTree as ET

from nova_resize_checks.review import verdict as verdict_mod


def _result(result):
    data = result.to_dict()
    if not data.get('failing_line'):
        for key in ('failing_line', 'failing_code', 'allocation_assertion'):
            data.pop(key, None)
    return data


def _finding(finding):
    return {'kind': finding.kind, 'message': finding.message,
            'span': finding.span.as_list() if finding.span else None}


def _change(item):
    change = item.change
    data = {
        'span': change.span.as_list(),
        'kind': change.kind,
        'target': change.target,
        'summary': change.summary,
        'applied': item.applied,
        'reason': item.reason,
        'outcomes': {variant: _result(result)
                     for variant, result in sorted(item.outcomes.items())},
    }
    # The kind's own fields (anchors, names, line numbers), code aside.
    for name, value in change.fields().items():
        if value and name != 'code':
            data[name] = value
    return data


def review_dict(report):
    return {
        'path': report.path,
        'flagged': report.flagged,
        'verdict': report.verdict,
        'reason': report.reason,
        'claims_no_defects': report.claims_no_defects,
        'cwe_ids': list(report.cwe_ids),
        'reviewed_version': {'name': report.reviewed_version,
                             'why': report.reviewed_why},
        'read_notes': list(report.read_notes),
        'changes': [_change(item) for item in report.changes],
        'findings': [_finding(f) for f in report.findings],
        'proposed': {variant: _result(result)
                     for variant, result in sorted(report.proposed.items())},
    }


def to_document(reports, summary, versions=None):
    counts = collections.Counter(r.verdict for r in reports)
    return {
        'reviews': [review_dict(r) for r in reports],
        'summary': {
            'reviews': len(reports),
            'flagged': sum(1 for r in reports if r.flagged),
            'by_verdict': {v: counts.get(v, 0)
                           for v in verdict_mod.VERDICTS},
            'problems': list(summary.get('problems', [])),
        },
        'canonical': {variant: _result(result) for variant, result in
                      sorted(summary.get('canonical', {}).items())},
        'caught_by_canonical': list(summary.get('caught_by_canonical', [])),
        'runs': dict(summary.get('runs', {})),
        'confinement': summary.get('confinement', ''),
        'concurrency': summary.get('concurrency', ''),
        'static_gate': summary.get('static_gate', True),
        'versions': versions or {},
    }


def to_junit(reports, summary):
    """One testcase per review; flagged reviews are failures."""
    suite = ET.Element('testsuite', {
        'name': 'nova-resize-checks.review',
        'tests': str(len(reports)),
        'failures': str(sum(1 for r in reports if r.flagged)),
        'errors': '0', 'skipped': '0'})
    for report in reports:
        case = ET.SubElement(suite, 'testcase', {
            'classname': 'review', 'name': report.path})
        body = '\n'.join(text_details(report))
        if report.flagged:
            failure = ET.SubElement(case, 'failure', {
                'type': report.verdict,
                'message': '%s: %s' % (report.verdict, report.reason)})
            failure.text = body
        else:
            out = ET.SubElement(case, 'system-out')
            out.text = '%s: %s\n%s' % (report.verdict, report.reason, body)
    for problem in summary.get('problems', []):
        case = ET.SubElement(suite, 'testcase', {
            'classname': 'review', 'name': problem.split(':')[0]})
        error = ET.SubElement(case, 'error', {'message': problem})
        error.text = problem
    suite.set('errors', str(len(summary.get('problems', []))))
    return ET.tostring(suite, encoding='unicode')


def headline(report):
    mark = 'FLAGGED' if report.flagged else 'ok'
    return '%-7s %-10s %s: %s' % (mark, report.verdict, report.path,
                                  report.reason)


def text_details(report):
    lines = []
    if report.claims_no_defects is not None or report.cwe_ids:
        lines.append('  review says: %s%s' % (
            'no defects' if report.claims_no_defects else 'defects found',
            (' (%s)' % ', '.join(report.cwe_ids)) if report.cwe_ids
            else ''))
    for index, item in enumerate(report.changes, 1):
        change = item.change
        lines.append('  change %d [%s, review lines %d-%d] %s: %s' % (
            index, change.kind, change.span.start, change.span.end,
            'applied' if item.applied else 'NOT applied',
            change.summary or item.reason))
        if not item.applied or item.reason:
            lines.append('      %s' % item.reason)
        for variant, result in sorted(item.outcomes.items()):
            extra = ''
            if result.outcome != 'pass':
                extra = ' - %s' % result.evidence
                if result.failing_line:
                    extra = ' - line %d `%s`: %s' % (
                        result.failing_line, result.failing_code,
                        result.evidence)
            lines.append('      %-22s %s%s' % (
                variant, result.outcome + (' (known)' if result.known
                                           else ''), extra))
    for finding in report.findings:
        where = (' (review lines %d-%d)' % (finding.span.start,
                                            finding.span.end)
                 if finding.span else '')
        lines.append('  finding [%s]%s: %s' % (finding.kind, where,
                                               finding.message))
    return lines


def explanation(report, canonical_source):
    """How a review was read: its changes and the proposed version's diff.

    Lines of text: each claim that became a change (kind, where in the
    review, what it asked, where it was anchored or why not), then the
    unified diff of the proposed test (and any nova file it overlays)
    against the canonical test (or the installed nova file).
    """
    lines = ['  reviewed version: %s (%s)' % (report.reviewed_version,
                                              report.reviewed_why or '-')]
    lines.extend('  read: %s' % note for note in report.read_notes)
    lines.append('  read %d change(s) and %d finding(s)'
                 % (len(report.changes), len(report.findings)))
    for index, item in enumerate(report.changes, 1):
        change = item.change
        lines.append('  claim %d (review lines %d-%d, %s): %s'
                     % (index, change.span.start, change.span.end,
                        change.kind, change.summary or '-'))
        lines.append('    -> %s: %s' % (
            'applied' if item.applied else 'not applied',
            item.reason or '-'))
    proposed = report.versions.get(report.proposed_key) \
        if report.proposed_key else None
    if proposed is None:
        lines.append('  proposed version: none (nothing could be applied)')
        return lines
    diff = list(difflib.unified_diff(
        canonical_source.splitlines(True),
        proposed.test_source.splitlines(True),
        'canonical/test_bug_1825537.py', 'proposed/test_bug_1825537.py'))
    for path, _text in proposed.overlay:
        diff.append('(and an overlay of %s)\n' % path)
    if not diff:
        lines.append('  proposed version: the canonical test (no change)')
    lines.extend('  ' + line.rstrip('\n') for line in diff)
    return lines
