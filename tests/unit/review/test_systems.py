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

"""Review systems' comments: Gerrit, GitHub and SARIF in, claims out."""

import json

import testtools

from nova_resize_checks import canonical
from nova_resize_checks import inputs
from nova_resize_checks.review.claims import anchored
from nova_resize_checks.review import model
from nova_resize_checks.review import prepare
from nova_resize_checks.review.read import systems
from nova_resize_checks.review.versions import known_versions

OUR_PATH = 'tests/functional/test_bug_1825537.py'
UPSTREAM_PATH = 'nova/tests/functional/regressions/test_bug_1825537.py'


def _line_of(source, needle):
    for number, line in enumerate(source.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError('%r not in the test' % needle)


class TestSniff(testtools.TestCase):

    def test_gerrit_with_and_without_prefix(self):
        doc = {OUR_PATH: [{'id': 'a', 'line': 3, 'message': 'nit'}]}
        for text in (json.dumps(doc), ")]}'\n" + json.dumps(doc)):
            self.assertEqual(systems.GERRIT, systems.sniff(text)[0])

    def test_github_and_sarif(self):
        self.assertEqual(systems.GITHUB, systems.sniff(json.dumps(
            [{'path': OUR_PATH, 'line': 2, 'body': 'x'}]))[0])
        self.assertEqual(systems.SARIF, systems.sniff(json.dumps(
            {'version': '2.1.0', 'runs': []}))[0])

    def test_other_json_and_text_are_not_review_systems(self):
        for text in ('{"defects": [], "fix": "--- a\\n+++ b\\n"}',
                     'The test is fine.', '[1, 2]', '{', ''):
            self.assertIsNone(systems.sniff(text), text)


class TestRead(testtools.TestCase):

    def test_gerrit_fix_suggestion_ranges(self):
        doc = {OUR_PATH: [{
            'id': 'r1', 'line': 5, 'robot_id': 'lint',
            'commit_id': 'abc1234', 'message': 'loosen',
            'fix_suggestions': [{'description': 'why', 'replacements': [
                {'path': OUR_PATH, 'replacement': 'x\n',
                 'range': {'start_line': 5, 'start_character': 0,
                           'end_line': 6, 'end_character': 0}},
                {'path': 'other.py', 'replacement': 'y',
                 'range': {'start_line': 1, 'start_character': 0,
                           'end_line': 1, 'end_character': 1}}]}]}],
               '/COMMIT_MSG': [{'id': 'm', 'line': 1, 'message': 'typo'}]}
        comments = systems.read(systems.GERRIT, doc)
        self.assertEqual(1, len(comments))
        comment = comments[0]
        self.assertEqual(('r1', 'lint', 'abc1234'),
                         (comment.id, comment.author, comment.revision))
        # Start of line 5 to start of line 6: line 5, whole.
        self.assertEqual([systems.Replacement(5, 5, 'x\n')],
                         comment.replacements)
        self.assertEqual(['other.py'], comment.elsewhere)
        self.assertIn('why', comment.message)

    def test_github_suggestion_replaces_the_commented_lines(self):
        doc = [{'id': 7, 'path': OUR_PATH, 'start_line': 3, 'line': 4,
                'user': {'login': 'alice'}, 'commit_id': 'f00',
                'body': 'Better:\n```suggestion\nnew()\n```\nthanks'}]
        comment = systems.read(systems.GITHUB, doc)[0]
        self.assertEqual((3, 4, 'alice'),
                         (comment.line, comment.end_line, comment.author))
        self.assertEqual([systems.Replacement(3, 4, 'new()\n')],
                         comment.replacements)
        self.assertNotIn('suggestion', comment.message)

    def test_sarif_results_and_fixes(self):
        doc = {'version': '2.1.0', 'runs': [{
            'tool': {'driver': {'name': 'scanner'}},
            'versionControlProvenance': [{'repositoryUri': 'x',
                                          'revisionId': 'deadbeef'}],
            'results': [{'ruleId': 'B101', 'message': {'text': 'assert'},
                         'locations': [{'physicalLocation': {
                             'artifactLocation': {'uri': OUR_PATH},
                             'region': {'startLine': 9, 'endLine': 10}}}],
                         'fixes': [{'artifactChanges': [{
                             'artifactLocation': {'uri': OUR_PATH},
                             'replacements': [{
                                 'deletedRegion': {'startLine': 9,
                                                   'endLine': 9},
                                 'insertedContent': {'text': 'z'}}]}]}]}]}]}
        comment = systems.read(systems.SARIF, doc)[0]
        self.assertEqual(('scanner', 'deadbeef', 9, 10),
                         (comment.author, comment.revision, comment.line,
                          comment.end_line))
        self.assertEqual([systems.Replacement(9, 9, 'z\n')],
                         comment.replacements)

    def test_apply_lines_and_characters(self):
        text = 'one\ntwo\nthree\n'
        self.assertEqual('one\n2\nthree\n', systems.apply(
            text, [systems.Replacement(2, 2, '2\n')]))
        self.assertEqual('one\ntWOo\nthree\n', systems.apply(
            text, [systems.Replacement(2, 2, 'WO', 1, 2)]))
        self.assertRaises(ValueError, systems.apply, text,
                          [systems.Replacement(7, 7, 'x\n')])
        self.assertRaises(ValueError, systems.apply, text,
                          [systems.Replacement(1, 2, 'a\n'),
                           systems.Replacement(2, 3, 'b\n')])

    def test_only_author_keeps_the_format(self):
        doc = [{'path': OUR_PATH, 'body': 'a', 'user': {'login': 'x'}},
               {'path': OUR_PATH, 'body': 'b', 'user': {'login': 'y'}}]
        self.assertEqual(['x', 'y'], systems.authors(systems.GITHUB, doc))
        self.assertEqual([doc[1]], systems.only_author(systems.GITHUB, doc,
                                                       'y'))


class TestHostileInput(testtools.TestCase):
    """What a review system's file can do to the reader: nothing."""

    def test_unclosed_suggestion_fences_are_read_in_one_pass(self):
        # 69,000 fence openings and no closing one: a backtracking
        # pattern took minutes; one pass over the lines takes no time.
        body = '```suggestion\n' * 69000
        comment = systems.read(systems.GITHUB, [
            {'path': OUR_PATH, 'line': 3, 'body': body}])[0]
        self.assertEqual(1, len(comment.replacements))
        self.assertEqual('', comment.message)

    def test_fences_and_text_around_them(self):
        body = 'Before.\n~~~ suggestion\nnew()\n~~~\nAfter.\n' \
               '```python\nnot a suggestion\n```'
        comment = systems.read(systems.GITHUB, [
            {'path': OUR_PATH, 'line': 3, 'body': body}])[0]
        self.assertEqual([systems.Replacement(3, 3, 'new()\n')],
                         comment.replacements)
        self.assertIn('not a suggestion', comment.message)
        self.assertIn('After.', comment.message)

    def test_fields_of_the_wrong_type_are_read_as_absent(self):
        docs = [
            {'version': '2.1.0', 'runs': [{'results': 5}]},
            {'version': '2.1.0', 'runs': [5, {'results': [
                {'locations': 'x', 'message': 7, 'fixes': {'a': 1}},
                {'locations': [{'physicalLocation': {
                    'artifactLocation': 3, 'region': []}}],
                 'fixes': [{'artifactChanges': [{'replacements': [
                     {'deletedRegion': 'x', 'insertedContent': 9}]}]}]}]}]},
        ]
        for doc in docs:
            fmt, got = systems.sniff(json.dumps(doc))
            for comment in systems.read(fmt, got):
                self.assertEqual([], comment.replacements)
            systems.authors(fmt, got)

    def test_too_many_replacements_is_unreadable(self):
        doc = [{'path': OUR_PATH, 'line': 1,
                'body': '```suggestion\nx\n```\n' * 600}]
        self.assertRaises(systems.Unreadable, systems.read, systems.GITHUB,
                          doc)

    def test_by_author_leaves_a_bad_document_to_prepare(self):
        data = json.dumps({'version': '2.1.0',
                           'runs': [{'results': 5}]}).encode()
        split = systems.by_author([inputs.Review('s.sarif', data)])
        self.assertEqual(1, len(split))
        report = prepare.prepare(split[0].path, prepare.Context(),
                                 split[0].data)
        self.assertEqual('no-fix', report.verdict)


class TestAnchored(testtools.TestCase):

    def setUp(self):
        super(TestAnchored, self).setUp()
        self.test = canonical.read_test()
        self.refs = {'test': self.test}
        self.no_usage = _line_of(self.test, 'no_usage = {')

    def _read(self, doc, fmt=systems.GITHUB, refs=None):
        return anchored.read(fmt, doc, refs or self.refs,
                             canonical.nova_reader)

    def test_suggestion_on_ours_is_a_diff_of_ours(self):
        got = self._read([{
            'id': 1, 'path': OUR_PATH, 'line': self.no_usage,
            'body': '```suggestion\n        empty = {}\n```'}])
        self.assertEqual(1, len(got.changes))
        change = got.changes[0]
        self.assertEqual(model.TEST_DIFF, change.kind)
        self.assertIn('-        no_usage = {', change.code)
        self.assertIn('+        empty = {}', change.code)
        self.assertEqual(['ours'], got.revisions)
        anchor = got.anchors[0]
        self.assertEqual(('1', self.no_usage), (anchor.id, anchor.line))
        self.assertEqual(change.span, anchor.span)

    def test_recreate_lines_map_by_their_fingerprints(self):
        # The recreate version's line that creates no_usage is found in
        # ours by its fingerprint, whatever its number there.
        digests = known_versions.PORTED_LINE_DIGESTS['recreate']
        mine = anchored._digest(self.test.splitlines()[self.no_usage - 1])
        theirs = digests.index(mine) + 1
        got = self._read({UPSTREAM_PATH: [{
            'id': 'g', 'line': theirs,
            'commit_id': known_versions.COMMITS['recreate'],
            'message': 'rename',
            'fix_suggestions': [{'replacements': [{
                'path': UPSTREAM_PATH,
                'replacement': "        empty = {}\n",
                'range': {'start_line': theirs, 'start_character': 0,
                          'end_line': theirs + 1,
                          'end_character': 0}}]}]}]}, systems.GERRIT)
        self.assertEqual(['recreate'], got.revisions)
        self.assertEqual(1, len(got.changes), got.findings)
        self.assertIn('-        no_usage = {', got.changes[0].code)

    def test_recreate_fixme_replaced_by_the_fix_changes_nothing(self):
        # Upstream's fix offered on the recreate version's FIXME block, by
        # a character range that ends where the block's last line ends:
        # ours already is that, so the claim is ours (a change that
        # holds), not a conflict.
        lengths = known_versions.LINE_LENGTHS['recreate']
        fix = ("        self.assertFlavorMatchesAllocation(\n"
               "            self.flavor2, server['id'], dest_rp_uuid)\n"
               "        # And the source should have no usage.\n"
               "        source_rp_usages = self._get_provider_usages("
               "source_rp_uuid)\n"
               "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, "
               "'DISK_GB': 0}\n"
               "        self.assertEqual(no_usage, source_rp_usages)")
        doc = {UPSTREAM_PATH: [{
            'id': 'f', 'line': 69,
            'commit_id': known_versions.COMMITS['recreate'][:10],
            'message': 'flip the FIXME',
            'fix_suggestions': [{'replacements': [{
                'path': UPSTREAM_PATH, 'replacement': fix,
                'range': {'start_line': 69, 'start_character': 0,
                          'end_line': 81,
                          'end_character': lengths[80]}}]}]}]}
        got = self._read(doc, systems.GERRIT)
        self.assertEqual([model.TEST_FULL], [c.kind for c in got.changes],
                         got.findings)
        self.assertEqual(self.test, got.changes[0].code)
        # Ending short of the line's end needs that line's text, which
        # neither this tool nor ours holds: located nowhere, said why.
        doc[UPSTREAM_PATH][0]['fix_suggestions'][0]['replacements'][0][
            'range']['end_character'] = lengths[80] - 1
        got = self._read(doc, systems.GERRIT)
        self.assertEqual([], got.changes)
        self.assertIn('part of line 81', got.findings[0].message)

    def test_a_fix_that_drops_a_line_of_ours_is_not_already_there(self):
        # The same block, but the replacement leaves out the source check
        # that ours has there: not "already ours", so not made.
        doc = {UPSTREAM_PATH: [{
            'id': 'd', 'line': 69,
            'commit_id': known_versions.COMMITS['recreate'],
            'message': 'x', 'fix_suggestions': [{'replacements': [{
                'path': UPSTREAM_PATH,
                'replacement': "        self.assertFlavorMatchesAllocation("
                               "\n            self.flavor2, server['id'], "
                               "dest_rp_uuid)\n",
                'range': {'start_line': 69, 'start_character': 0,
                          'end_line': 82, 'end_character': 0}}]}]}]}
        got = self._read(doc, systems.GERRIT)
        self.assertEqual([], got.changes)
        self.assertEqual([model.UNPARSED_CLAIM],
                         [f.kind for f in got.findings])

    def test_unknown_revision_that_cannot_be_located_is_a_finding(self):
        doc = {UPSTREAM_PATH: [{
            'id': 'u', 'line': 2, 'message': 'x',
            'fix_suggestions': [{'replacements': [{
                'path': UPSTREAM_PATH, 'replacement': 'zzz = 1\n',
                'range': {'start_line': 2, 'start_character': 0,
                          'end_line': 3, 'end_character': 0}}]}]}]}
        got = self._read(doc, systems.GERRIT)
        self.assertEqual([], got.changes)
        self.assertEqual([model.UNPARSED_CLAIM],
                         [f.kind for f in got.findings])
        self.assertIn('not known', got.findings[0].message)

    def test_original_lines_locate_an_unknown_revision(self):
        # A SARIF result on nova's path with no revision: its region's
        # snippet is found once in ours, and the fix moves with it.
        line = self.test.splitlines()[self.no_usage - 1]
        doc = {'version': '2.1.0', 'runs': [{'results': [{
            'message': {'text': 'rename'},
            'locations': [{'physicalLocation': {
                'artifactLocation': {'uri': 'file:///src/nova/' +
                                     UPSTREAM_PATH},
                'region': {'startLine': 3, 'snippet': {
                    'text': line + '\n'}}}}],
            'fixes': [{'artifactChanges': [{
                'artifactLocation': {'uri': 'file:///src/nova/' +
                                     UPSTREAM_PATH},
                'replacements': [{
                    'deletedRegion': {'startLine': 3},
                    'insertedContent': {'text': '        empty = {}\n'}}]}]}]
        }]}]}
        got = self._read(doc, systems.SARIF)
        self.assertEqual(1, len(got.changes), got.findings)
        self.assertIn('-        no_usage = {', got.changes[0].code)
        self.assertEqual(['ours'], got.revisions)

    def test_paths_as_uris_and_checkouts(self):
        self.assertEqual('test', anchored._target(
            'file:///home/me/nova/' + UPSTREAM_PATH))
        self.assertEqual('nova/compute/manager.py', anchored._target(
            'src/nova/nova/compute/manager.py'))
        self.assertIsNone(anchored._target('nova/tests/unit/test_x.py'))
        self.assertIsNone(anchored._target('releasenotes/notes/x.yaml'))
        self.assertTrue(anchored._is_upstream_path(
            'file:///home/me/nova/' + UPSTREAM_PATH))
        self.assertFalse(anchored._is_upstream_path(OUR_PATH))

    def test_other_files_are_not_applicable(self):
        for path in ('doc/source/index.rst', 'nova/virt/fake.py'):
            got = self._read([{
                'id': 3, 'path': path, 'line': 1,
                'body': 'typo\n```suggestion\nx = 1\n```'}])
            self.assertEqual([], got.changes)
            self.assertEqual([], got.anchors)
            self.assertIn('not applicable', ' '.join(got.notes))

    def test_nova_suggestion_is_an_overlay_diff(self):
        manager = canonical.nova_reader('nova/compute/manager.py')
        line = _line_of(manager, 'def finish_resize(')
        got = self._read([{
            'id': 4, 'path': 'nova/compute/manager.py', 'line': line,
            'body': '```suggestion\n%s\n```'
            % manager.splitlines()[line - 1]}])
        # The same line again: nothing changes, nothing is proposed.
        self.assertEqual([], got.changes)
        got = self._read([{
            'id': 5, 'path': 'nova/compute/manager.py', 'line': line,
            'body': '```suggestion\n%s  # noqa\n```'
            % manager.splitlines()[line - 1]}])
        self.assertEqual([model.NOVA_DIFF], [c.kind for c in got.changes])
        self.assertEqual('nova/compute/manager.py', str(got.changes[0].target))


class TestPrepare(testtools.TestCase):

    def test_prepare_reads_comments_and_names_them(self):
        test = canonical.read_test()
        line = _line_of(test, 'no_usage = {')
        data = json.dumps([{
            'id': 9, 'path': OUR_PATH, 'line': line,
            'user': {'login': 'bob'},
            'body': '```suggestion\n        no_usage = dict(VCPU=0, '
                    'MEMORY_MB=0, DISK_GB=0)\n```'}]).encode()
        report = prepare.prepare('c.json', prepare.Context(), data)
        self.assertEqual(['9'], [a.id for a in report.comments])
        self.assertEqual([True], [c.applied for c in report.changes])
        self.assertIn('read as github comments', report.read_notes[0])

    def test_by_author_splits_review_systems_only(self):
        doc = [{'path': OUR_PATH, 'body': 'a', 'user': {'login': 'x'}},
               {'path': OUR_PATH, 'body': 'b', 'user': {'login': 'y'}}]
        split = systems.by_author([
            inputs.Review('c.json', json.dumps(doc).encode()),
            inputs.Review('r.md', b'The test is fine.')])
        self.assertEqual(['c.json@x', 'c.json@y', 'r.md'],
                         [r.path for r in split])

    def test_by_author_names_are_one_per_author(self):
        # Round 10: no author and an author named "anonymous" shared a
        # name; "x<newline>" and "x\\n" printed alike.
        doc = [{'path': OUR_PATH, 'body': 'a'},
               {'path': OUR_PATH, 'body': 'e', 'user': {'login': ''}},
               {'path': OUR_PATH, 'body': 'b',
                'user': {'login': 'anonymous'}},
               {'path': OUR_PATH, 'body': 'c', 'user': {'login': 'x\n'}},
               {'path': OUR_PATH, 'body': 'd', 'user': {'login': 'x\\n'}}]
        split = systems.by_author([
            inputs.Review('c.json', json.dumps(doc).encode())])
        paths = [r.path for r in split]
        self.assertEqual(len(paths), len(set(paths)), paths)
        self.assertEqual(4, len(paths))
        self.assertIn('c.json@(no author)', paths)
        # An empty name is no author either, and a taken label is not
        # given twice.
        taken = set()
        self.assertEqual(['(no author)', '(no author)#2', 'anonymous'],
                         [systems._author_label(a, taken)
                          for a in ('', None, 'anonymous')])
        self.assertIn('c.json@x\\n', paths)
        self.assertIn('c.json@x\\\\n', paths)

    def test_digits_int_cannot_read_are_no_line(self):
        # "²" is a digit to str.isdigit() and not to int(): one such field
        # must neither crash the reading nor hide the other comments.
        for field in ('line', 'start_line'):
            doc = {OUR_PATH: [
                {'id': '1', 'line': '\u00b2', 'message': 'x',
                 'author': {'name': 'a'}},
                {'id': '2', 'line': 94, 'author': {'name': 'b'},
                 'message': 'Drop this assertion.'}]}
            if field == 'start_line':
                doc = [{'path': OUR_PATH, 'body': 'a', 'line': 3,
                        'start_line': '\u00b2', 'user': {'login': 'x'}}]
            data = json.dumps(doc).encode()
            split = systems.by_author([inputs.Review('c.json', data)])
            self.assertGreater(len(split), 0, field)
            for review in split:
                report = prepare.prepare(review.path, prepare.Context(),
                                         review.data)
                self.assertFalse(report.internal_error, field)


class TestInternalError(testtools.TestCase):

    def test_a_failure_of_the_tool_is_marked(self):
        def broken(*args, **kwargs):
            raise ValueError('boom')

        self.patch(prepare, 'prepare', broken)
        report = prepare.prepare_safely('r.md', None, b'x')
        self.assertTrue(report.internal_error)
        self.assertEqual('unverified', report.verdict)
        self.assertIn('boom', report.reason)
