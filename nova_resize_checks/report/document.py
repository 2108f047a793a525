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


"""The one data model every report format is built from.

:func:`to_document` turns the meta-check's results (``review.model``
objects and the summary :func:`review.pipeline.check` returns) into plain
data: the ``--format json`` document, which the text, JUnit and subunit
writers read too.  The same helpers serialise a prepared review for the
preparation cache (:func:`dump_prepared`, :func:`load_prepared`), so a
change, a finding and a run result have one dictionary form.
"""

import collections
import dataclasses
import difflib

from nova_resize_checks.review import model
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.runs import results as runs

PREPARED_FORMAT = 6


def result_dict(result):
    data = result.to_dict()
    if not data.get('failing_line'):
        for key in ('failing_line', 'failing_code', 'allocation_assertion'):
            data.pop(key, None)
    return data


def finding_dict(finding):
    return {'kind': finding.kind, 'message': finding.message,
            'span': finding.span.as_list() if finding.span else None}


def _span(data):
    return model.Span(*data) if data else None


def change_dict(item):
    """A change, what became of it and its runs (code left out)."""
    change = item.change
    data = {
        'span': change.span.as_list(),
        'kind': change.kind,
        'target': str(change.target),
        'summary': change.summary,
        'applied': item.applied,
        'reason': item.reason,
        'outcomes': {variant: result_dict(result)
                     for variant, result in sorted(item.outcomes.items())},
    }
    # The kind's own fields (anchors, names, line numbers), code aside.
    for name, value in change.fields().items():
        if value and name != 'code':
            data[name] = value
    return data


def explanation(report, canonical_source):
    """The proposed version's unified diff against the canonical test.

    Lines of text, or None when nothing could be applied; the canonical
    source is the one the check ran with (the summary carries it), never
    re-read from disk.
    """
    proposed = report.versions.get(report.proposed_key) \
        if report.proposed_key else None
    if proposed is None:
        return None
    diff = list(difflib.unified_diff(
        canonical_source.splitlines(True),
        proposed.test_source.splitlines(True),
        'canonical/test_bug_1825537.py', 'proposed/test_bug_1825537.py'))
    lines = [line.rstrip('\n') for line in diff]
    lines.extend('(and an overlay of %s)' % path
                 for path, _text in proposed.overlay)
    return lines


def review_dict(report, canonical_source=None):
    data = {
        'path': report.path,
        'flagged': report.flagged,
        'verdict': report.verdict,
        'reason': report.reason,
        'claims_no_defects': report.claims_no_defects,
        'cwe_ids': list(report.cwe_ids),
        'reviewed_version': {'name': report.reviewed_version,
                             'why': report.reviewed_why},
        'read_notes': list(report.read_notes),
        'comments': [anchor.as_dict() for anchor in report.comments],
        'changes': [change_dict(item) for item in report.changes],
        'findings': [finding_dict(f) for f in report.findings],
        'proposed': {variant: result_dict(result)
                     for variant, result in sorted(report.proposed.items())},
    }
    if canonical_source is not None:
        data['diff'] = explanation(report, canonical_source)
    return data


def to_document(reports, summary, versions=None, explain=False):
    """The review document (``--format json``).

    ``explain``: add each review's ``diff`` (the proposed version against
    the canonical test the summary names).
    """
    counts = collections.Counter(r.verdict for r in reports)
    source = summary.get('test_source', '') if explain else None
    return {
        'reviews': [review_dict(r, source) for r in reports],
        'summary': {
            'reviews': len(reports),
            'flagged': sum(1 for r in reports if r.flagged),
            'by_verdict': {v: counts.get(v, 0)
                           for v in verdict_mod.VERDICTS},
            'problems': list(summary.get('problems', [])),
        },
        'canonical': {variant: result_dict(result) for variant, result in
                      sorted(summary.get('canonical', {}).items())},
        'caught_by_canonical': list(summary.get('caught_by_canonical', [])),
        'runs': dict(summary.get('runs', {})),
        'confinement': summary.get('confinement', ''),
        'concurrency': summary.get('concurrency', ''),
        'static_gate': summary.get('static_gate', True),
        'versions': versions or {},
    }


def dump_prepared(report):
    """A prepared (not yet run) review as JSON-able data, code included."""
    return {
        'verdict': report.verdict, 'reason': report.reason,
        'claims_no_defects': report.claims_no_defects,
        'cwe_ids': list(report.cwe_ids),
        'reviewed': [report.reviewed_version, report.reviewed_why],
        'read_notes': list(report.read_notes),
        'comments': [anchor.as_dict() for anchor in report.comments],
        'changes': [{
            'change': dict(dataclasses.asdict(item.change),
                           kind=item.change.kind,
                           target=str(item.change.target),
                           span=item.change.span.as_list()),
            'applied': item.applied, 'reason': item.reason,
            'version_key': item.version_key} for item in report.changes],
        'findings': [finding_dict(f) for f in report.findings],
        'proposed_key': report.proposed_key,
        'versions': {key: {'test_source': v.test_source,
                           'overlay': [list(pair) for pair in v.overlay],
                           'label': v.label}
                     for key, v in report.versions.items()},
    }


def load_prepared(path, data):
    """The inverse of :func:`dump_prepared`.

    Raises KeyError, TypeError or ValueError on data it did not write.
    """
    report = model.ReviewReport(path=path, verdict=data['verdict'],
                                reason=data['reason'],
                                claims_no_defects=data['claims_no_defects'],
                                cwe_ids=tuple(data['cwe_ids']),
                                proposed_key=data['proposed_key'])
    report.reviewed_version, report.reviewed_why = data['reviewed']
    report.read_notes = list(data['read_notes'])
    report.comments = [
        model.Anchor(c['id'], c['path'], c['line'], c['end_line'],
                     c['author'], _span(c['span']))
        for c in data.get('comments', [])]
    for item in data['changes']:
        fields = dict(item['change'], span=_span(item['change']['span']))
        report.changes.append(model.ChangeReport(
            model.change(**fields), item['applied'], item['reason'],
            item['version_key']))
    report.findings = [model.Finding(f['kind'], f['message'],
                                     _span(f['span']))
                       for f in data['findings']]
    report.versions = {
        key: runs.Version(v['test_source'],
                          tuple(tuple(p) for p in v['overlay']),
                          v['label'])
        for key, v in data['versions'].items()}
    if any(key != version.key() for key, version in report.versions.items()):
        raise ValueError('a stored version is not the one its key names')
    return report
