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


"""The review document as a SARIF 2.1.0 log, for code-scanning UIs.

One rule per flagged verdict (``breaks`` and ``unsafe`` at level
``error``, ``weakens`` at ``warning``) and one result per flagged review
or per flagged reviewer comment (:mod:`.flagged` says which claims are
flagged and where each sits): a review file's claims of one verdict make
one result at the first of them, a comment's make one at the comment's
file and line.  The message holds the verdict, the reason and the
deciding evidence; ``relatedLocations`` point at each claim's lines in
the review, and ``properties`` carry the verdict, the claim numbers and
the comment ids.  Input problems are the invocation's notifications.

Text is escaped only for control characters (:mod:`.safe`); JSON escapes
the rest.
"""

import json
import urllib.parse

from nova_resize_checks.report import flagged
from nova_resize_checks.report import safe
from nova_resize_checks.review import verdict as verdict_mod

VERSION = '2.1.0'
SCHEMA_URI = ('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/'
              'schemas/sarif-schema-2.1.0.json')
TOOL = 'nova-resize-checks'
INFORMATION_URI = 'https://opendev.org/x/nova-resize-checks'
RULES = (verdict_mod.BREAKS, verdict_mod.WEAKENS, verdict_mod.UNSAFE)
LEVELS = {verdict_mod.BREAKS: 'error', verdict_mod.WEAKENS: 'warning',
          verdict_mod.UNSAFE: 'error'}
_NAMES = {verdict_mod.BREAKS: 'ProposalBreaksTheTest',
          verdict_mod.WEAKENS: 'ProposalWeakensTheTest',
          verdict_mod.UNSAFE: 'ProposalReachesOutsideTheTest'}


def to_sarif(document):
    """The SARIF log (plain data) of a review document."""
    results = []
    for found in flagged.by_review(document):
        results.extend(_result(group) for group in _groups(found))
    run = {'tool': {'driver': _driver(document)}, 'results': results,
           'invocations': [_invocation(document)],
           'properties': _run_properties(document)}
    return {'$schema': SCHEMA_URI, 'version': VERSION, 'runs': [run]}


def render(document):
    """:func:`to_sarif` as JSON text."""
    return json.dumps(to_sarif(document), indent=2, sort_keys=True)


def _driver(document):
    driver = {'name': TOOL, 'informationUri': INFORMATION_URI,
              'rules': [_rule(verdict) for verdict in RULES]}
    version = (document.get('versions') or {}).get(TOOL)
    if version:
        driver['version'] = version
    return driver


def _rule(verdict):
    return {'id': verdict, 'name': _NAMES[verdict],
            'shortDescription': {'text': 'a review proposes a change that '
                                         '%s the regression test' % verdict
                                 if verdict != verdict_mod.UNSAFE else
                                 'a review proposes code that reaches '
                                 'outside a test'},
            'fullDescription': {'text': verdict_mod.MEANINGS[verdict]},
            'defaultConfiguration': {'level': LEVELS[verdict]}}


def _groups(found):
    """The flags of one review, grouped by where they sit and verdict."""
    groups = {}
    for flag in found:
        key = (flag.place.comment_id, flag.place.path
               if flag.place.comment_id else '', flag.verdict)
        groups.setdefault(key, []).append(flag)
    return list(groups.values())


def _result(group):
    first = group[0]
    result = {'ruleId': first.verdict,
              'ruleIndex': RULES.index(first.verdict),
              'level': LEVELS[first.verdict],
              'message': {'text': _message(group)},
              'locations': [_location(first.place)],
              'properties': _properties(group)}
    related = _related(group)
    if related:
        result['relatedLocations'] = related
    return result


def _message(group):
    first = group[0]
    lines = []
    if not first.place.in_review:
        lines.append('In comment %s%s of the review %s:' % (
            first.place.comment_id, ' by %s' % first.place.author
            if first.place.author else '', safe.line(first.review)))
    for flag in group:
        lines.extend(flagged.text(flag))
    return safe.text('\n'.join(lines))


def _properties(group):
    first = group[0]
    data = {'verdict': first.verdict, 'review': safe.line(first.review),
            'claims': [flag.claim for flag in group if flag.claim],
            'reviewLines': [list(flag.span) for flag in group
                            if flag.span]}
    if first.place.comment_id:
        data['commentIds'] = [first.place.comment_id]
        if first.place.author:
            data['commentAuthor'] = first.place.author
    return data


def _related(group):
    """Each claim's lines in the review file, but the primary location."""
    primary = group[0].place
    found = []
    for flag in group:
        if not flag.span:
            continue
        where = flagged.place(flag.review, flag.span)
        if where == primary:
            continue
        found.append(dict(_location(where, 'claim %d' % flag.claim),
                          id=len(found)))
    return found


def _location(place, message=None):
    physical = {'artifactLocation': {'uri': uri(place.path)}}
    if place.line:
        physical['region'] = {'startLine': place.line}
        if place.end_line:
            physical['region']['endLine'] = place.end_line
    location = {'physicalLocation': physical}
    if message:
        location['message'] = {'text': message}
    return location


def uri(path):
    """A path as a URI reference: a file URI when absolute."""
    quoted = urllib.parse.quote(safe.line(path))
    return 'file://' + quoted if path.startswith('/') else quoted


def _invocation(document):
    problems = document.get('summary', {}).get('problems', [])
    invocation = {'executionSuccessful': not problems}
    if problems:
        invocation['toolExecutionNotifications'] = [
            {'level': 'error', 'message': {'text': safe.line(problem)}}
            for problem in problems]
    return invocation


def _run_properties(document):
    summary = document.get('summary', {})
    return {'reviews': summary.get('reviews', 0),
            'flagged': summary.get('flagged', 0),
            'caughtByCanonical': list(document.get('caught_by_canonical',
                                                   [])),
            'staticGate': document.get('static_gate', True)}
