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

import collections
import json
import os
import time

import testtools

from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import language
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.versions import quotes

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, '..', '..', 'samples', 'reviews')
TEST_PATH = os.path.join(HERE, '..', '..', 'functional',
                         'test_bug_1825537.py')

# A small stand-in for the canonical test: line numbers below refer to it.
REFERENCE = '''\
class FinishResizeErrorAllocationCleanupTestCase(base.TestCase):

    compute_driver = 'fake.Driver'

    def setUp(self):
        super(FinishResizeErrorAllocationCleanupTestCase, self).setUp()
        flavors = self.api.get_flavors()
        self.flavor1 = flavors[0]
        self.flavor2 = flavors[1]

    def _resize_and_assert_error(self, server, dest_host):
        req = {'resize': {'flavorRef': self.flavor2['id']}}
        self.api.post_server_action(server['id'], req)
        self.assertEqual(dest_host, server['host'])

    def test_finish_resize_fails_allocation_cleanup(self):
        server = self._boot_and_check_allocations(self.flavor1, 'host1')
        self._resize_and_assert_error(server, 'host2')
        dest_rp_uuid = self._get_provider_uuid_by_host('host2')
        # Check the destination.
        self.assertFlavorMatchesAllocation(
            self.flavor2, server['id'], dest_rp_uuid)
'''
REFS = {'test': REFERENCE}


def run(text, refs=REFS):
    return extract.extract(container.parse_text(text), refs)


def kinds(changes):
    return [c.kind for c in changes]


def finding_kinds(findings):
    return [f.kind for f in findings]


def load_samples():
    out = []
    for name in sorted(os.listdir(SAMPLES)):
        if name.endswith('.expect.json'):
            continue
        base = name.rsplit('.', 1)[0]
        with open(os.path.join(SAMPLES, base + '.expect.json')) as f:
            out.append((name, json.load(f)))
    return out


class TestDiffs(testtools.TestCase):

    def test_diff_fence_against_test(self):
        changes, findings = run(
            'Patch:\n```diff\n--- a/tests/functional/test_bug_1825537.py\n'
            '+++ b/tests/functional/test_bug_1825537.py\n@@ -1,1 +1,1 @@\n'
            '-a\n+b\n```\n')
        self.assertEqual([model.TEST_DIFF], kinds(changes))
        self.assertEqual('test', str(changes[0].target))
        self.assertIn('+b', changes[0].code)
        self.assertEqual([], findings)

    def test_nova_path_gives_nova_diff(self):
        changes, _ = run(
            '```diff\n--- a/nova/compute/manager.py\n'
            '+++ b/nova/compute/manager.py\n@@ -6670,2 +6670,1 @@\n'
            '-                self._delete_allocation_after_move(\n'
            '-                    context, instance, migration)\n'
            '+                self._revert_allocation(context, instance, '
            'migration)\n```\n')
        self.assertEqual([model.NOVA_DIFF], kinds(changes))
        self.assertEqual('nova/compute/manager.py', str(changes[0].target))

    def test_upstream_test_path_is_the_test(self):
        changes, _ = run(
            '--- a/nova/tests/functional/regressions/test_bug_1825537.py\n'
            '+++ b/nova/tests/functional/regressions/test_bug_1825537.py\n'
            '@@ -1 +1 @@\n-a\n+b\n')
        self.assertEqual([(model.TEST_DIFF, 'test')],
                         [(c.kind, str(c.target)) for c in changes])

    def test_multi_file_diff(self):
        changes, _ = run(
            '```patch\ndiff --git a/nova/compute/manager.py '
            'b/nova/compute/manager.py\nindex 1..2 100644\n'
            '--- a/nova/compute/manager.py\n+++ b/nova/compute/manager.py\n'
            '@@ -1 +1 @@\n-a\n+b\n'
            'diff --git a/t.py b/t.py\n--- a/t.py\n+++ b/t.py\n'
            '@@ -1 +1 @@\n-c\n+d\n```\n')
        self.assertEqual([(model.NOVA_DIFF, 'nova/compute/manager.py'),
                          (model.TEST_DIFF, 'test')],
                         [(c.kind, str(c.target)) for c in changes])
        self.assertNotIn('+d', changes[0].code)
        self.assertIn('+d', changes[1].code)

    def test_headerless_diff_takes_path_from_prose(self):
        changes, _ = run(
            'In `nova/compute/manager.py` apply:\n```diff\n@@ -1 +1 @@\n'
            '-a\n+b\n```\n')
        self.assertEqual([(model.NOVA_DIFF, 'nova/compute/manager.py')],
                         [(c.kind, str(c.target)) for c in changes])

    def test_python_fence_holding_a_diff(self):
        changes, _ = run(
            'Fix:\n```python\n-        x = 1\n+        x = 2\n```\n')
        self.assertEqual([model.TEST_DIFF], kinds(changes))

    def test_diff_without_changes_is_nothing(self):
        changes, _ = run('```diff\n--- a/t.py\n+++ b/t.py\n@@ -1 +1 @@\n'
                         ' same\n```\n')
        self.assertEqual([], changes)

    def test_split_and_new_side(self):
        parts = diffs.split(
            '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n--- a/y\n+++ /dev/null\n'
            '@@ -1 +0,0 @@\n-c\n')
        self.assertEqual(['x', 'y'], [p for p, _ in parts])
        self.assertEqual('b\nctx', diffs.new_side(
            '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n ctx'))


class TestCodeBlocks(testtools.TestCase):

    def test_fixed_snippet(self):
        changes, findings = run(
            'The corrected code should look like this:\n```python\n'
            '        self.assertFlavorMatchesAllocation(\n'
            "            self.flavor1, server['id'], dest_rp_uuid)\n```\n")
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))
        self.assertTrue(changes[0].code.startswith(
            'self.assertFlavorMatchesAllocation(\n    self.flavor1'))
        self.assertEqual(model.Span(2, 5), changes[0].span)
        self.assertEqual([], findings)

    def test_identical_code_is_a_quotation(self):
        # Same code, other layout and comments: still a quotation.
        changes, findings = run(
            'The corrected code should look like this:\n```python\n'
            "self.assertFlavorMatchesAllocation(self.flavor2, server['id'],"
            " dest_rp_uuid)  \n# a comment\n```\n")
        self.assertEqual([], changes)
        self.assertEqual([], findings)

    def test_quotation_is_decided_by_content(self):
        quoted = "        self._resize_and_assert_error(server, 'host2')"
        for intro in ('The current code is:', 'Here is the code in question:',
                      'The original test does this:', 'Fixed version:', ''):
            changes, _ = run(intro + '\n```python\n%s\n```\n' % quoted)
            self.assertEqual([], changes, intro)

    def test_wording_never_turns_a_proposal_into_a_quotation(self):
        for intro in ('The current code is:', 'Here is the code in question:',
                      'The original test does this:'):
            changes, _ = run(intro + '\n```python\nx = 1\n```\n')
            self.assertEqual([model.TEST_SNIPPET], kinds(changes), intro)

    def test_code_without_any_intro_is_a_proposal(self):
        self.assertEqual([model.TEST_SNIPPET],
                         kinds(run('```python\nx = 1\n```\n')[0]))
        self.assertEqual([model.TEST_SNIPPET], kinds(
            run('Some text.\n\n```python\nx = 1\n```\n')[0]))

    def test_indented_block_is_a_proposal(self):
        changes, _ = run('The more robust check:\n\n'
                         '    self.assertEqual(1, 2)\n')
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))

    def test_numbered_walk_through_of_unknown_code_is_a_quotation(self):
        changes, _ = run('The code in question:\n\n```\n'
                         '69         x = 1\n70         y = 2\n```\n')
        self.assertEqual([], changes)

    def test_intro_cues(self):
        for intro in ('Here is the updated code:', 'Fixed version:',
                      'Change it to:', 'Replace the call with:',
                      '## Suggested fix', 'The test should read:',
                      "Here's an example of how the code could be modified "
                      "to fix this issue:"):
            changes, _ = run(intro + '\n\n```python\nx = 1\n```\n')
            self.assertEqual([model.TEST_SNIPPET], kinds(changes), intro)

    def test_full_file(self):
        changes, _ = run(
            'Updated test:\n```python\nclass A(object):\n'
            '    def test_x(self):\n        pass\n```\n')
        self.assertEqual([model.TEST_FULL], kinds(changes))

    def test_listing_proposal(self):
        changes, _ = run(
            "Here's the updated code with the fix applied:\n```python\n"
            '80         self.assertFlavorMatchesAllocation(\n'
            "81             self.flavor2, server['id'], source_rp_uuid)\n"
            '```\n')
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))
        self.assertEqual(80, changes[0].line)
        self.assertIn('lines 80-81', changes[0].summary)
        self.assertTrue(changes[0].code.startswith(
            'self.assertFlavorMatchesAllocation('))

    def test_plain_listing_proposal(self):
        changes, _ = run(
            'The fixed code should look like:\n'
            '20         self.assertFlavorMatchesAllocation(\n'
            "21             self.flavor1, server['id'], dest_rp_uuid)\n")
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))

    def test_quoted_listing_is_no_change(self):
        changes, _ = run(
            'The code in question:\n'
            '20         self.assertFlavorMatchesAllocation(\n'
            "21             self.flavor1, server['id'], dest_rp_uuid)\n")
        self.assertEqual([], changes)

    def test_non_python_fix_is_unparsed(self):
        changes, findings = run(
            'To fix this, run:\n```bash\nnova-manage placement '
            'heal_allocations\n```\n')
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))
        self.assertIn('bash', findings[0].message)

    def test_unlabelled_shell_and_data(self):
        for code in ('$ tox -e functional', 'sudo nova-manage cell_v2 list',
                     '{"VCPU": 0, "MEMORY_MB": 0}'):
            changes, findings = run('Fixed:\n```\n%s\n```\n' % code)
            self.assertEqual([], changes, code)
            self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))

    def test_non_python_not_introduced_is_ignored(self):
        self.assertEqual(([], []), run('Output:\n```json\n{"a": 1}\n```\n'))

    def test_prose_fence_introduced_as_fix(self):
        changes, findings = run(
            'The fix:\n```\nYou should assert the new flavor on the '
            'destination host instead of the old one.\n```\n')
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))

    def test_broken_python_is_still_a_change(self):
        changes, _ = run('Fixed code:\n```python\ndef broken(:\n    x =\n'
                         '```\n')
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))

    def test_line_by_line_description_is_not_a_fix(self):
        changes, findings = run(
            'Here is a description of each line:\n'
            '1. `20         self.assertFlavorMatchesAllocation(`: This line '
            'begins the assertion and should be read carefully.\n'
            "2. `21             self.flavor9, server['id'], x)`: This line "
            "changes the flavor to `'error'`.\n")
        self.assertEqual([], changes)
        self.assertEqual([], findings)


class TestLineChanges(testtools.TestCase):

    def test_change_line_to(self):
        changes, _ = run(
            "Change line 22 to `            self.flavor1, server['id'], "
            "dest_rp_uuid)`.")
        self.assertEqual([model.LINE_CHANGE], kinds(changes))
        self.assertEqual(22, changes[0].line)
        self.assertEqual(
            "            self.flavor1, server['id'], dest_rp_uuid)",
            changes[0].code)
        self.assertEqual('', changes[0].old)

    def test_line_should_be(self):
        changes, _ = run(
            'Line 3 should be `    compute_driver = "fake.Other"`.')
        self.assertEqual([(model.LINE_CHANGE, 3)],
                         [(c.kind, c.line) for c in changes])

    def test_quoted_number_is_stripped(self):
        changes, _ = run('Change line 3 to `3     compute_driver = "x"`.')
        self.assertEqual('    compute_driver = "x"', changes[0].code)

    def test_substitution(self):
        changes, findings = run(
            'In line 17, replace `self.flavor1` with `self.flavor2`.')
        self.assertEqual([model.LINE_CHANGE], kinds(changes))
        c = changes[0]
        self.assertEqual(17, c.line)
        self.assertEqual(REFERENCE.split('\n')[16], c.old)
        self.assertEqual(
            "        server = self._boot_and_check_allocations("
            "self.flavor2, 'host1')", c.code)
        self.assertEqual([], findings)

    def test_substitution_of_missing_text(self):
        changes, findings = run(
            'In line 2, replace `self.flavor1` with `self.flavor2`.')
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))

    def test_lines_range_before_block(self):
        changes, _ = run(
            'Change lines 21-22 to:\n```python\n'
            "        self.assertFlavorMatchesAllocation(self.flavor1, "
            "server['id'], dest_rp_uuid)\n```\n")
        self.assertEqual([(model.LINE_CHANGE, 21), (model.REMOVE, 22)],
                         [(c.kind, c.line) for c in changes])
        self.assertEqual('', changes[1].old)

    def test_remove_lines(self):
        changes, _ = run('Line 14 can be removed. Also delete lines 20-21.')
        self.assertEqual([14, 20, 21], [c.line for c in changes])
        self.assertEqual({model.REMOVE}, set(kinds(changes)))


class TestProseDirectives(testtools.TestCase):

    def test_can_be_removed(self):
        changes, _ = run('The variable `flavors` can be removed.')
        self.assertEqual([(model.REMOVE, 'flavors')],
                         [(c.kind, c.old) for c in changes])
        self.assertEqual('remove variable flavors', changes[0].summary)

    def test_remove_the_unused_argument(self):
        for text in ('Remove the unused argument `server`.',
                     'The unused argument `server` can be removed.'):
            changes, _ = run(text)
            self.assertEqual([(model.REMOVE, 'server')],
                             [(c.kind, c.old) for c in changes], text)
            self.assertEqual('remove unused argument server',
                             changes[0].summary)

    def test_unused_list(self):
        changes, _ = run(
            '3. Unused variables: The code has some unused variables, such '
            'as `flavors` and `compute_driver`, which can be removed.')
        self.assertEqual(['flavors', 'compute_driver'],
                         [c.old for c in changes])

    def test_owner_is_not_removed(self):
        changes, _ = run(
            'The argument `dest_host` of `_resize_and_assert_error` is never '
            'used and can be removed.')
        self.assertEqual(['dest_host'], [c.old for c in changes])

    def test_statement_removal(self):
        changes, _ = run(
            "The assertion `self.assertEqual(dest_host, server['host'])` is "
            "redundant and can be removed.")
        self.assertEqual(
            [(model.REMOVE, "self.assertEqual(dest_host, server['host'])")],
            [(c.kind, c.old) for c in changes])

    def test_unused_without_removal_is_no_change(self):
        self.assertEqual([], run('The variable `flavors` is unused.')[0])

    def test_unused_names(self):
        masked, codes = prose.mask_code(
            '`a` is never used; unused helpers such as `b` and `c` exist.')
        self.assertEqual(['b', 'c', 'a'],
                         sorted((codes[i] for i in
                                 words.unused_names(masked)),
                                key=['b', 'c', 'a'].index))

    def test_rename_forms(self):
        for text, pair in (
                ('Rename `dest_host` to `target_host`.',
                 ('dest_host', 'target_host')),
                ('`self.flavor1` should be renamed to `self.old_flavor`.',
                 ('flavor1', 'old_flavor')),
                ('The variable `dest_host` is not descriptive. It should be '
                 'renamed to something like `destination_host` or '
                 '`failover_host` to improve readability.',
                 ('dest_host', 'destination_host')),
                ('Consider renaming `_resize_and_assert_error()` to '
                 '`_resize_expect_error()`.',
                 ('_resize_and_assert_error', '_resize_expect_error')),
                ('Please rename dest_host to target_host.',
                 ('dest_host', 'target_host'))):
            changes, findings = run(text)
            self.assertEqual([(model.RENAME,) + pair],
                             [(c.kind, c.old, c.new) for c in changes], text)
            self.assertEqual([], findings, text)

    def test_rename_in_one_def(self):
        for text, target in (
                ('Rename `server` to `instance` in '
                 '`_resize_and_assert_error`.', '_resize_and_assert_error'),
                ('rename `server` to `instance` inside the helper '
                 '_resize_and_assert_error', '_resize_and_assert_error'),
                # A file or a def the test does not have is no scope.
                ('Rename `server` to `instance` in `test_bug_1825537.py`.',
                 'test'),
                ('Rename `server` to `instance` in `nowhere`.', 'test'),
                ('Rename `server` to `instance`.', 'test')):
            changes, _ = run(text)
            self.assertEqual([(model.RENAME, 'server', 'instance', target)],
                             [(c.kind, c.old, c.new, str(c.target))
                              for c in changes], text)

    def test_rename_needs_identifiers(self):
        changes, findings = run('Rename `a.b.c` to `d.e`.')
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))
        changes, findings = run('Rename the variable to something clearer.')
        self.assertEqual(([], []), (changes, findings))

    def test_rename_and_remove_in_one_sentence(self):
        changes, _ = run('Rename `a_b` to `c_d` and remove `e_f`.')
        self.assertEqual([(model.RENAME, 'a_b'), (model.REMOVE, 'e_f')],
                         [(c.kind, c.old) for c in changes])

    def test_unparsed_claims(self):
        changes, findings = run(
            '1. Assertion message:\nIn line 51, the assertion message '
            'should be improved to provide more context.\n'
            '2. Docstring: The docstring of `setUp` should be formatted '
            'correctly.\n'
            '3. Imports:\nIn line 13, the import of `base` is odd. It should '
            'be moved to the top.\n')
        self.assertEqual([], changes)
        self.assertEqual([model.Span(2, 2), model.Span(3, 3),
                          model.Span(5, 5)],
                         [f.span for f in findings])
        self.assertEqual({model.UNPARSED_CLAIM}, set(finding_kinds(findings)))

    def test_descriptions_and_generic_advice_are_not_claims(self):
        changes, findings = run(
            '1. The code uses the `integrated_helpers` module.\n'
            '2. Use security-related libraries such as OWASP.\n'
            '3. This line calls `_wait_for_state_change` to change state.\n')
        self.assertEqual(([], []), (changes, findings))

    def test_prose_before_a_fix_is_covered(self):
        changes, findings = run(
            'After `finish_resize` fails the host must be empty.\n\n'
            'To fix this, the code should be modified.\n\n'
            'Fixed:\n```python\nx = 1\n```\n')
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))
        self.assertEqual([], findings)

    def test_input_errors_become_findings(self):
        parsed = model.ParsedReview('x', '', [], errors=['cannot read'])
        changes, findings = extract.extract(parsed, REFS)
        self.assertEqual([], changes)
        self.assertEqual([(model.INPUT_ERROR, 'cannot read')],
                         [(f.kind, f.message) for f in findings])


class TestNormalisation(testtools.TestCase):

    def test_logical_lines(self):
        self.assertEqual(
            ["self.assertEqual(a,'x  y')", 'b=[1,2]', "s='''\n  q'''"],
            quotes.logical_lines(
                "# c\nself.assertEqual(\n    a, 'x  y')  # trailing\n\n"
                "b = [1,\n     2]\ns = '''\n  q'''\n"))

    def test_is_quotation(self):
        refs = quotes.normalised_references(REFS)
        self.assertTrue(quotes.is_quotation(
            "flavors = self.api.get_flavors()\nself.flavor1 = flavors[0]",
            refs))
        self.assertFalse(quotes.is_quotation(
            "flavors = self.api.get_flavors()\nself.flavor1 = flavors[1]",
            refs))
        self.assertTrue(quotes.is_quotation('# only a comment', refs))

    def test_code_language(self):
        self.assertEqual('python', language.code_language('x = 1', ''))
        self.assertEqual('python', language.code_language('def (', 'py'))
        self.assertEqual('python', language.code_language('def f(:', ''))
        self.assertEqual('other', language.code_language('x = 1', 'yaml'))
        self.assertEqual('diff', language.code_language('-a\n+b', ''))
        self.assertEqual('prose', language.code_language(
            'Please assert the new flavor on the destination host.', ''))


class TestSamplesAndScale(testtools.TestCase):

    def test_samples_change_kinds(self):
        with open(TEST_PATH) as f:
            refs = {'test': f.read()}
        samples = load_samples()
        self.assertGreaterEqual(len(samples), 12)
        for name, expect in samples:
            parsed = container.read_review(os.path.join(SAMPLES, name))
            changes, _ = extract.extract(parsed, refs)
            self.assertEqual(
                collections.Counter(expect['change_kinds']),
                collections.Counter(kinds(changes)), name)

    def test_expectations_are_well_formed(self):
        verdicts = {'breaks', 'weakens', 'unsafe', 'ok', 'no-fix',
                    'unverified'}
        finding_kinds_all = {
            model.UNKNOWN_NAME, model.USED_NOT_UNUSED, model.LINE_MISMATCH,
            model.UNPARSED_CLAIM, model.UNSAFE_CODE, model.CONTRADICTION,
            model.INPUT_ERROR}
        seen = set()
        for name, expect in load_samples():
            self.assertEqual({'verdict', 'why', 'change_kinds', 'findings'},
                             set(expect) - {'evidence'}, name)
            self.assertIsInstance(expect.get('evidence', []), list, name)
            self.assertIn(expect['verdict'], verdicts, name)
            self.assertTrue(expect['why'], name)
            self.assertTrue(set(expect['change_kinds']) <=
                            set(model.CHANGE_KINDS), name)
            self.assertTrue(set(expect['findings']) <= finding_kinds_all,
                            name)
            seen.add(expect['verdict'])
        self.assertEqual(verdicts, seen)

    def test_many_fences(self):
        text = ''.join('Fixed code %d:\n```python\nx = %d\n```\n' % (i, i)
                       for i in range(10000))
        start = time.monotonic()
        changes, findings = run(text)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(lexicon.MAX_CODE_PROPOSALS, len(changes))
        self.assertIn('%d code block(s) after the first'
                      % (10000 - lexicon.MAX_CODE_PROPOSALS),
                      ' '.join(f.message for f in findings))

    def test_many_directives(self):
        text = ' '.join('It should be renamed to `n%d`.' % i
                        for i in range(3000))
        start = time.monotonic()
        run('The name `a_b` is bad. ' + text)
        self.assertLess(time.monotonic() - start, 15)

    def test_plain_text_full_of_calls_finishes(self):
        # Plain text (no backticks) is scanned for calls written out in
        # full; unbalanced or endless ones must not make that quadratic.
        for text in ('f(' * 100000, 'self.x(a) ' * 50000,
                     'x = f(' + 'a, ' * 100000 + ')',
                     '(' * 100000 + 'y' + ')' * 100000):
            start = time.monotonic()
            run(text)
            self.assertLess(time.monotonic() - start, 60, text[:20])


class TestVersionsAndDialect(testtools.TestCase):

    def test_old_helper_dialect_is_ported(self):
        self.assertEqual(
            "server = self._wait_for_state_change(server, 'ERROR')",
            quotes.port_dialect("server = self._wait_for_state_change("
                                "self.admin_api, server, 'ERROR')"))
        self.assertEqual('self._wait_for_migration_status(server, [1])',
                         quotes.port_dialect(
                             'self._wait_for_migration_status(self.api, '
                             'server, [1])'))
        self.assertEqual('self.api.get_server(x)',
                         quotes.port_dialect('self.api.get_server(x)'))

    def test_quotation_of_the_old_dialect_matches_today(self):
        old = ("        self._resize_and_assert_error(server, 'host2')\n")
        self.assertTrue(quotes.is_quotation(
            old, quotes.normalised_references(REFS)))

    def test_known_versions_are_recognised_by_fingerprint(self):
        from nova_resize_checks.review.versions import known_versions

        refs = quotes.normalised_references({'test': 'x = 1\n'})
        line = "self.assertEqual(no_usage,dest_rp_usages)"
        self.assertIn(quotes.line_digest(line),
                      known_versions.FINGERPRINTS['recreate'])
        self.assertTrue(quotes.is_quotation(
            '        self.assertEqual(no_usage, dest_rp_usages)\n', refs))
        self.assertFalse(quotes.is_quotation(
            '        self.assertEqual(no_usage, other)\n', refs))


class TestDirectives(testtools.TestCase):

    def _changes(self, text):
        changes, _ = run(text)
        return [(c.kind, c.old, getattr(c, 'new', ''), str(c.target))
                for c in changes]

    def test_replace_forms(self):
        for text in ('Replace `self.flavor2` with `self.flavor1`.',
                     'Use `self.flavor1` instead of `self.flavor2`.',
                     'Change `self.flavor2` to `self.flavor1`.'):
            self.assertEqual([(model.REPLACE, 'self.flavor2', 'self.flavor1',
                               'test')], self._changes(text), text)

    def test_replace_in_a_def_and_in_calls(self):
        self.assertEqual(
            [(model.REPLACE, "'host2'", "'host3'", 'setUp')],
            self._changes("Replace `'host2'` with `'host3'` in `setUp`."))
        self.assertEqual(
            [(model.REPLACE, "'host2'", "'host3'",
              'call:_resize_and_assert_error')],
            self._changes("Change `'host2'` to `'host3'` in the call to "
                          "`self._resize_and_assert_error`."))

    def test_removals_named_with_nouns_and_keywords(self):
        self.assertEqual(
            [(model.REMOVE, 'flavors', '', 'test'),
             (model.REMOVE, 'no_usage', '', 'test')],
            self._changes('The `flavors` variable and the `no_usage` '
                          'variable can be removed.'))
        self.assertEqual(
            [(model.REMOVE, 'return server', '', 'test')],
            self._changes('Remove the `return server` statement.'))

    def test_negated_mentions_are_not_claims(self):
        self.assertEqual([], self._changes(
            'The test never calls `subprocess.run` or `os.system`.'))

    def test_add_after_or_before_a_statement_or_a_call(self):
        changes, _ = run(
            "Add `self.assertEqual('ERROR', server['status'])` after "
            "`server = self._resize_and_assert_error(server, 'host2')` in "
            "`test_finish_resize_fails_allocation_cleanup`.")
        self.assertEqual(
            [(model.INSERT, "server = self._resize_and_assert_error("
              "server, 'host2')", 'after',
              'test_finish_resize_fails_allocation_cleanup')],
            [(c.kind, c.anchor, c.where, str(c.target)) for c in changes])
        self.assertEqual("self.assertEqual('ERROR', server['status'])",
                         changes[0].code)
        changes, _ = run('Before the call to `_resize_and_assert_error`, '
                         'add `self.assertTrue(server)`.')
        self.assertEqual([(model.INSERT, '_resize_and_assert_error',
                           'before')],
                         [(c.kind, c.anchor, c.where) for c in changes])

    def test_remove_a_keyword_statement_or_the_calls(self):
        changes, _ = run('`_resize_and_assert_error` is a helper; remove the '
                         '`return` at its end.')
        self.assertEqual([(model.REMOVE, 'return', model.KEYWORD,
                           '_resize_and_assert_error')],
                         [(c.kind, c.old, c.unit, str(c.target))
                          for c in changes])
        changes, _ = run('Remove the `assertFlavorMatchesAllocation` call '
                         'and the `assertFlavorMatchesUsage` call from '
                         '`test_x`.')
        self.assertEqual(
            [('assertFlavorMatchesAllocation', model.CALLS, 'test_x'),
             ('assertFlavorMatchesUsage', model.CALLS, 'test_x')],
            [(c.old, c.unit, str(c.target)) for c in changes])

    def test_replace_a_line_range_with_inline_code(self):
        changes, _ = run('Replace lines 84 to 86 with `        x = 1`.')
        self.assertEqual([(model.LINE_CHANGE, 84), (model.REMOVE, 85),
                          (model.REMOVE, 86)],
                         [(c.kind, c.line) for c in changes])
        self.assertEqual('        x = 1', changes[0].code)

    def test_plain_text_names_code_without_backticks(self):
        changes, _ = run('Delete the assertIn on the fault message in '
                         '_resize_and_assert_error.')
        self.assertEqual([(model.REMOVE, 'assertIn',
                           '_resize_and_assert_error')],
                         [(c.kind, c.old, str(c.target)) for c in changes])
        # With a backtick anywhere, bare words stay prose.
        changes, _ = run('Delete the assertIn in _resize_and_assert_error; '
                         'keep `x`.')
        self.assertEqual([], [c for c in changes if c.old == 'assertIn'])

    def test_line_numbers_of_the_reviewed_version(self):
        reviewed = REFERENCE.replace(
            "    compute_driver = 'fake.Driver'\n",
            "    compute_driver = 'fake.Driver'\n    # one more line\n")
        line = REFERENCE.split('\n').index(
            "        self.flavor2 = flavors[1]") + 1
        text = 'Change line %d to `        self.flavor2 = flavors[0]`.' % (
            line + 1)
        changes, _ = run(text, {'test': REFERENCE, 'reviewed': reviewed})
        self.assertEqual([(model.LINE_CHANGE, line)],
                         [(c.kind, c.line) for c in changes])
        self.assertIn('of the reviewed version', changes[0].summary)
        changes, _ = run(text)
        self.assertEqual([(model.LINE_CHANGE, line + 1)],
                         [(c.kind, c.line) for c in changes])

    def test_line_numbers_of_a_known_upstream_version(self):
        # Line 43 of upstream's 2019 recreate version is the wait in the
        # old helper dialect; ours has the ported statement elsewhere.
        test = REFERENCE.replace(
            "        self.api.post_server_action(server['id'], req)\n",
            "        self.api.post_server_action(server['id'], req)\n"
            "        server = self._wait_for_state_change(server, 'ERROR')\n")
        changes, _ = run('Change line 43 to `        server = '
                         "self._wait_for_state_change(server, 'ERROR')`.",
                         {'test': test})
        here = test.split('\n').index(
            "        server = self._wait_for_state_change(server, 'ERROR')")
        self.assertEqual([(model.LINE_CHANGE, here + 1)],
                         [(c.kind, c.line) for c in changes])
        self.assertRegex(changes[0].summary,
                         r"upstream's (recreate|fixed) version")

    def test_line_of_another_version_goes_to_its_closest_counterpart(self):
        # "Change line 43 to:" and the new line on the next line: line 43
        # of upstream's recreate version is the wait for ERROR (old
        # dialect); the proposed line is that wait with one more argument,
        # so it replaces ours' wait wherever ours has it, ported.
        test = REFERENCE.replace(
            "        self.api.post_server_action(server['id'], req)\n",
            "        self.api.post_server_action(server['id'], req)\n"
            "        server = self._wait_for_state_change(server, 'ERROR')\n")
        changes, _ = run(
            '- Change line 43 to:\n  `server = self._wait_for_state_change('
            "self.admin_api, server, 'ERROR', max_retries=20)`\n",
            {'test': test})
        here = test.split('\n').index(
            "        server = self._wait_for_state_change(server, 'ERROR')")
        self.assertEqual(
            [(model.LINE_CHANGE, here + 1, "server = self._wait_for_state_"
              "change(server, 'ERROR', max_retries=20)")],
            [(c.kind, c.line, c.code) for c in changes])
        # A line unlike line 43 of every version stays in our numbering.
        changes, _ = run('Change line 43 to `x = 1`.', {'test': test})
        self.assertEqual([(model.LINE_CHANGE, 43)],
                         [(c.kind, c.line) for c in changes])

    def test_use_instead_of_with_the_statement_in_full(self):
        # The statement given in full says which `assertEqual` is meant.
        test = REFERENCE + (
            "        self.assertEqual({}, server['fault'])\n")
        changes, _ = run(
            'Use `assertDictEqual` instead of `assertEqual` for the fault, '
            "i.e. `self.assertDictEqual({}, server['fault'])`.",
            {'test': test})
        line = test.split('\n').index(
            "        self.assertEqual({}, server['fault'])") + 1
        self.assertIn((model.REPLACE, 'line:%d' % line),
                      [(c.kind, str(c.target)) for c in changes])

    def test_block_in_place_of_the_statement_quoted_before(self):
        changes, _ = run(
            '`self.assertEqual(dest_host, server[\'host\'])` is too weak. '
            'Replace that assertion with:\n\n'
            '    host = server[\'host\']\n'
            '    self.assertEqual(dest_host, host)\n')
        self.assertEqual(
            [(model.INSERT, "self.assertEqual(dest_host, server['host'])"),
             (model.REMOVE, "self.assertEqual(dest_host, server['host'])")],
            [(c.kind, getattr(c, 'anchor', None) or c.old)
             for c in changes])

    def test_rewrite_of_a_quoted_block_is_a_diff(self):
        changes, _ = run(
            'The request is built like this:\n\n```python\n'
            "        req = {'resize': {'flavorRef': self.flavor2['id']}}\n"
            "        self.api.post_server_action(server['id'], req)\n"
            '```\n\nBetter:\n\n```python\n'
            "        req = {'resize': {'flavorRef': self.flavor2['id']}}\n"
            "        self.api.post_server_action(server['id'], req,\n"
            "                                    check_response_status=[202])"
            '\n```\n')
        self.assertEqual([model.TEST_DIFF], kinds(changes))
        self.assertIn("\n-self.api.post_server_action(server['id'], req)\n",
                      changes[0].code)
        # A block that also holds statements from outside the quotation is
        # an ordinary snippet.
        changes, _ = run(
            'The request:\n\n```python\n'
            "        req = {'resize': {'flavorRef': self.flavor2['id']}}\n"
            '```\n\nBetter:\n\n```python\n'
            "        req = {'resize': {'flavorRef': self.flavor1['id']}}\n"
            "        self.api.post_server_action(server['id'], req)\n"
            '```\n')
        self.assertEqual([model.TEST_SNIPPET], kinds(changes))

    def test_an_import_to_add(self):
        changes, _ = run('Add `import os` at the top of the module.')
        self.assertEqual([(model.TEST_SNIPPET, 'import os\n')],
                         [(c.kind, c.code) for c in changes])
        self.assertEqual([], run('The test does not `import os`.')[0])

    def test_descriptions_are_not_claims(self):
        for text in ('Before the fix, the except block in `finish_resize` '
                     'reverted the allocations.',
                     'After the fix the allocation of `migration` is '
                     'simply deleted.',
                     'If placement refuses the DELETE, '
                     '`_delete_allocation_after_move()` logs an error.'):
            changes, findings = run(text)
            self.assertEqual(([], []), (changes, findings), text)
        changes, findings = run('The waits should have an explicit upper '
                                'bound.')
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))

    def test_remove_the_call_on_a_line(self):
        line = REFERENCE.split('\n').index(
            "        self.assertEqual(dest_host, server['host'])") + 1
        changes, _ = run('Delete the `assertEqual` on line %d.' % line)
        self.assertEqual([(model.REMOVE, line, '')],
                         [(c.kind, c.line, c.old) for c in changes])
        # A line that does not hold the name: the calls, as before.
        changes, _ = run('Delete the `assertEqual` call on line 1.')
        self.assertEqual([(model.REMOVE, 0, 'assertEqual')],
                         [(c.kind, c.line, c.old) for c in changes])

    def test_a_named_upstream_commit_numbers_the_lines(self):
        test = REFERENCE.replace(
            "        self.api.post_server_action(server['id'], req)\n",
            "        self.api.post_server_action(server['id'], req)\n"
            "        server = self._wait_for_state_change(server, 'ERROR')\n")
        here = test.split('\n').index(
            "        server = self._wait_for_state_change(server, 'ERROR')")
        changes, _ = run('Reviewed at f4bb672106.\n\nChange line 43 to:\n\n'
                         '    x = 1\n', {'test': test})
        self.assertEqual([(model.LINE_CHANGE, here + 1)],
                         [(c.kind, c.line) for c in changes])

    def test_bare_python_paragraph_is_code(self):
        parsed = container.parse_text(
            'Suggest: replace the assertEqual(dest_host, server[\'host\']) '
            'call with\n\nself.assertIn(server[\'host\'], (dest_host,))\n'
            '\nNot blocking.\n')
        self.assertEqual(['prose', 'fence', 'prose'],
                         [b.kind for b in parsed.blocks])
        changes, _ = extract.extract(parsed, REFS)
        self.assertEqual(
            [(model.INSERT, "self.assertEqual(dest_host, server['host'])"),
             (model.REMOVE, "self.assertEqual(dest_host, server['host'])")],
            [(c.kind, getattr(c, 'anchor', None) or c.old)
             for c in changes])

    def test_block_in_the_middle_of_its_sentence(self):
        for text in (
                'Use\n\n```python\nself.assertIn(dest_host, server)\n```'
                '\n\ninstead of `self.assertEqual(dest_host, '
                'server[\'host\'])`.\n',
                "I'd replace\n\n    self.assertEqual(dest_host, "
                "server['host'])\n\nwith\n\n    self.assertIn(dest_host,"
                " server)\n"):
            changes, findings = run(text)
            self.assertIn(kinds(changes), ([model.INSERT, model.REMOVE],
                                           [model.TEST_DIFF]), text)
            self.assertEqual([], findings, text)

    def test_a_diff_that_changes_nothing_is_not_applicable(self):
        changes, findings = run('Reordered:\n\n```diff\n@@ -1,2 +1,2 @@\n'
                                ' a = 1\n b = 2\n```\n')
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], finding_kinds(findings))

    def test_format_patch_signature_is_not_a_removed_line(self):
        parsed = container.parse_text(
            'diff --git a/nova/x.py b/nova/x.py\n--- a/nova/x.py\n'
            '+++ b/nova/x.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n'
            '-- \n2.43.0\n')
        diff = [b for b in parsed.blocks if b.kind == 'fence'][0]
        self.assertTrue(diff.text.endswith('+b = 3'), diff.text)

    def test_replace_in_a_described_statement(self):
        changes, _ = run('Replace `self.flavor2` with `self.flavor1` in the '
                         'resize request.')
        line = REFERENCE.split('\n').index(
            "        req = {'resize': {'flavorRef': self.flavor2['id']}}") + 1
        self.assertEqual([(model.REPLACE, 'line:%d' % line)],
                         [(c.kind, str(c.target)) for c in changes])
        # A phrase that describes no line holding the text: the whole test.
        changes, _ = run('Replace `self.flavor2` with `self.flavor1` in the '
                         'teardown.')
        self.assertEqual(['test'], [str(c.target) for c in changes])
