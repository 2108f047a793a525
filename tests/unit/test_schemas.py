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


"""The JSON documents the commands print validate against their schemas.

Real outputs: ``mutants``, ``backport --static-only``, ``backport
--nova-git`` (on the small repository of tests.unit.backport.minirepo) and
``backport --patch --static-only`` (the mini-* samples) through the
command line, and the review document built from real (prepared, not
run) reports of a sample review plus run results.  ``reproduce`` and a
run meta-check are validated in the functional tests.
"""

import io
import json
import os
import subprocess
import sys

import fixtures
import jsonschema
import subunit
import testtools

from nova_resize_checks.backport import patch_evidence
from nova_resize_checks.report import document as report
from nova_resize_checks.report import review_text
from nova_resize_checks.report import subunit as subunit_report
from nova_resize_checks.review import model
from nova_resize_checks.runs import results
from nova_resize_checks import schemas
from tests.unit.backport import minirepo
from tests.unit import test_outcome


def _cli(*args):
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.cli'] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, timeout=600)
    return proc.returncode, proc.stdout.decode()


class TestSchemas(testtools.TestCase):

    def _valid(self, kind, document):
        schema = schemas.load(kind)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(document, schema)

    def test_every_schema_is_valid(self):
        for kind in schemas.KINDS:
            jsonschema.Draft202012Validator.check_schema(schemas.load(kind))

    def test_mutants_output(self):
        code, out = _cli('mutants', '--format', 'json')
        self.assertEqual(0, code)
        document = json.loads(out)
        self.assertEqual(schemas.FORMAT_VERSION, document['format_version'])
        self._valid('mutants', document)

    def test_backport_output(self):
        code, out = _cli('backport', '--static-only', '--format', 'json')
        document = json.loads(out)
        self.assertEqual(schemas.FORMAT_VERSION, document['format_version'])
        self._valid('backport', document)

    def test_backport_refs_output(self):
        repo = self.useFixture(fixtures.TempDir()).path
        commits = minirepo.build(repo)
        code, out = _cli('backport', '--nova-git', repo, '--format', 'json',
                         '--branches', '--tags', '1.0.*', 'master')
        document = json.loads(out)
        self._valid('backport-refs', document)
        rows = {row['ref']: row for row in document['refs']}
        # Named refs first, then the branches, then the tags.
        self.assertEqual(['master', 'unmaintained/mid',
                          'stable/old', '1.0.0', '1.0.1'],
                         [row['ref'] for row in document['refs']])
        self.assertEqual(1, code)
        self.assertEqual('affected', rows['1.0.0']['verdict'])
        self.assertEqual(commits['B'], rows['1.0.1']['fix_commit'])
        # A mistyped ref is a usage error, not a verdict.
        code, out = _cli('backport', '--nova-git', repo, '--format', 'json',
                         'master', 'no-such-ref')
        self.assertEqual(2, code)
        self.assertEqual('', out)
        # The schema rejects what the code never writes.
        bad = dict(document, refs=[dict(rows['1.0.0'], verdict='maybe')])
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-refs', bad)
        bad = dict(document, refs=[dict(rows['1.0.0'], commit='HEAD')])
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-refs', bad)

    def _patch(self, patch, *target):
        code, out = _cli('backport', '--patch', patch, '--static-only',
                         '--format', 'json', *target)
        document = json.loads(out)
        self._valid('backport-patch', document)
        self.assertEqual(code, document['exit_code'])
        return document

    def test_backport_patch_outputs(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        tree = minirepo.affected_tree(os.path.join(tmp, 'tree'))
        fixes = self._patch(minirepo.FIX_PATCH, '--nova-source', tree)
        self.assertEqual(('fixes', 'affected', 'fixed'),
                         (fixes['outcome'], fixes['before'],
                          fixes['after']))
        self.assertFalse(fixes['dynamic_after']['run'])
        log_only = self._patch(minirepo.LOG_ONLY_DIFF, '--nova-source', tree)
        self.assertEqual(('does-not-fix', 'unified diff'),
                         (log_only['outcome'], log_only['patch_format']))
        repo = os.path.join(tmp, 'repo')
        os.makedirs(repo)
        minirepo.build(repo)
        # The fix does not apply where it is already in: no "after".
        already = self._patch(minirepo.FIX_PATCH, '--nova-git', repo,
                              '--ref', '1.0.1')
        self.assertEqual('already-fixed', already['outcome'])
        self.assertIn('apply_error', already)
        self.assertIsNone(already['static_after'])
        # Every hunk of an applied patch is located; a misplaced one is a
        # reason in readable text (apply_error stays a string).
        self.assertEqual([True], [h['placed'] for h in fixes['hunks']])
        self.assertIsInstance(already['apply_error'], str)
        drift = os.path.join(tmp, 'drift')
        minirepo.affected_tree(drift)
        manager = os.path.join(drift, 'nova', 'compute', 'manager.py')
        with open(manager) as handle:
            text = handle.read()
        with open(manager, 'w') as handle:
            handle.write(text.replace('image)', 'image_meta)'))
        misplaced = self._patch(minirepo.FIX_PATCH, '--nova-source', drift)
        self.assertEqual('cannot-tell', misplaced['outcome'])
        self.assertFalse(misplaced['hunks'][0]['placed'])
        self.assertIn('context cut to 2/0', misplaced['apply_error'])
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-patch',
                          dict(already, apply_error=[already['apply_error']]))
        bad_hunk = dict(misplaced['hunks'][0], placed='no')
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-patch', dict(misplaced,
                                                 hunks=[bad_hunk]))
        # An outcome and an exit code that disagree are not valid.
        bad = dict(fixes, exit_code=1)
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-patch', bad)
        bad = dict(already, after='fixed')
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-patch', bad)

    def test_backport_patch_with_scenario_runs(self):
        # The scenario needs the tree's own nova (functional tests and the
        # matrix environments); its reports are built here by the code that
        # builds them from an observation, and put into a real document.
        tmp = self.useFixture(fixtures.TempDir()).path
        tree = minirepo.affected_tree(os.path.join(tmp, 'tree'))
        document = self._patch(minirepo.FIX_PATCH, '--nova-source', tree)
        before = patch_evidence._dynamic_report(
            {'observation': test_outcome.AFFECTED, 'seconds': 12.5})
        after = patch_evidence._dynamic_report(
            {'observation': test_outcome.FIXED, 'seconds': 10.8})
        self.assertEqual({'source': 'flavor1', 'dest': 'none'},
                         before['usage'])
        run = dict(document, dynamic_before=before, dynamic_after=after,
                   scenario_python='/env/bin/python')
        self._valid('backport-patch', run)
        timed_out = {'run': True, 'verdict': 'unknown',
                     'reason': 'the scenario did not finish within 60s'}
        self._valid('backport-patch', dict(run, dynamic_after=timed_out))
        self.assertRaises(jsonschema.ValidationError, self._valid,
                          'backport-patch',
                          dict(run, dynamic_after=dict(after, run=False)))

    def test_review_document(self):
        review = model.ReviewReport(path='/x/a review.md',
                                    verdict='weakens',
                                    reason='mutant m survives')
        review.proposed = {'real': results.RunResult('real', 'pass', 3.0),
                           'm': results.RunResult('m', 'pass', 2.0)}
        clean = model.ReviewReport(path='/x/b.md', verdict='no-fix',
                                   reason='nothing proposed')
        document = schemas.stamp(report.to_document(
            [review, clean], {'confinement': 'bubblewrap',
                              'concurrency': 'eventlet',
                              'static_gate': True}))
        self._valid('review', document)
        bad = dict(document, reviews=[dict(document['reviews'][0],
                                           verdict='maybe')])
        self.assertRaises(jsonschema.ValidationError, self._valid, 'review',
                          bad)

    def test_review_as_subunit(self):
        document = {'reviews': [
            {'path': '/x/a review.md', 'verdict': 'weakens', 'flagged': True,
             'reason': 'mutant m survives', 'findings': []},
            {'path': '/y/b.md', 'verdict': 'ok', 'flagged': False,
             'reason': 'held', 'findings': [{'kind': 'k', 'message': 'm'}]},
        ], 'summary': {'problems': []}}
        stream = subunit_report.to_subunit(document)
        found = {}

        class Collect(testtools.StreamResult):
            def status(self, test_id=None, test_status=None,
                       file_bytes=None, **kwargs):
                if test_status not in (None, 'inprogress'):
                    found[test_id] = (test_status, bytes(file_bytes or b''))

        subunit.ByteStreamToStreamResult(io.BytesIO(stream)).run(Collect())
        self.assertEqual('fail', found[
            'nova_resize_checks.review.a_review'][0])
        self.assertIn(b'mutant m survives',
                      found['nova_resize_checks.review.a_review'][1])
        self.assertEqual('success',
                         found['nova_resize_checks.review.b'][0])

    def test_schema_files_ship_with_the_package(self):
        for kind in schemas.KINDS:
            self.assertTrue(os.path.exists(schemas.path(kind)), kind)


class TestExplain(testtools.TestCase):

    def test_explanation_shows_claims_and_the_diff(self):
        version = results.Version('x = 2\n')
        review = model.ReviewReport(path='r.md', verdict='breaks',
                                    proposed_key=version.key(),
                                    versions={version.key(): version})
        lines = review_text.explanation(report.review_dict(review,
                                                           'x = 1\n'))
        self.assertIn('read 0 change(s) and 0 finding(s)', lines)
        self.assertIn('-x = 1', lines)
        self.assertIn('+x = 2', lines)

    def test_explanation_without_a_proposal(self):
        review = model.ReviewReport(path='r.md')
        self.assertIn('proposed version: none (nothing could be applied)',
                      review_text.explanation(report.review_dict(
                          review, 'x = 1\n')))
