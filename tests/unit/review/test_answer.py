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

"""The answer, not its container; and the reading rules that use it."""

import json

import testtools

from nova_resize_checks import canonical
from nova_resize_checks.review.claims import extract
from nova_resize_checks.review import model
from nova_resize_checks.review.read import answer
from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import tables

DRAFT = '''<think>
Maybe the source check should go:

```diff
-        self.assertEqual(no_usage, source_rp_usages)
```

No: that would let the old flavor stay on host1. Keep it.
</think>

The test is correct; I propose no change.
'''


def _changes(text):
    parsed = container.parse_text(text)
    changes, _findings = extract.extract(
        parsed, {'test': canonical.read_test()})
    return parsed, changes


class TestReasoning(testtools.TestCase):

    def test_a_rejected_draft_in_think_tags_is_not_read(self):
        parsed, changes = _changes(DRAFT)
        self.assertEqual([], changes)
        self.assertEqual(['reasoning before the answer was left out'],
                         parsed.notes)

    def test_lines_after_the_reasoning_keep_their_numbers(self):
        text, found = answer.drop_reasoning(DRAFT)
        self.assertTrue(found)
        self.assertEqual(DRAFT.count('\n'), text.count('\n'))
        self.assertNotIn('assertEqual', text)

    def test_a_thinking_preamble_up_to_the_answer(self):
        text = ('Thinking:\nPerhaps remove `return server`.\n\n'
                'Final answer:\nRemove the `return server` statement at the '
                'end of `_resize_and_assert_error`? No, keep it. The test is '
                'fine.\n')
        dropped, found = answer.drop_reasoning(text)
        self.assertTrue(found)
        self.assertNotIn('Perhaps', dropped)
        self.assertIn('The test is fine.', dropped)

    def test_no_answer_marker_keeps_everything(self):
        text = 'Thinking: this is how I read the test.\nIt is fine.\n'
        self.assertEqual((text, False), answer.drop_reasoning(text))


class TestJson(testtools.TestCase):

    def test_the_diff_inside_a_json_answer_is_read(self):
        diff = ('--- a/test_bug_1825537.py\n+++ b/test_bug_1825537.py\n'
                '@@ -92,3 +92,2 @@\n'
                '         source_rp_usages = self._get_provider_usages('
                'source_rp_uuid)\n'
                '-        self.assertEqual(no_usage, source_rp_usages)\n')
        text = json.dumps({'defects': [{'line': 94, 'severity': 'low'}],
                           'fix': diff})
        parsed, changes = _changes(text)
        self.assertEqual([model.TEST_DIFF], [c.kind for c in changes])
        self.assertIn('JSON document', parsed.notes[0])

    def test_a_fenced_json_answer_and_bold_labels(self):
        text = '```json\n{"summary": "fine", "line": 94}\n```\n'
        unwrapped, notes = answer.unwrap(text)
        self.assertIn('**Line:** 94', unwrapped)
        self.assertIn('**Summary:** fine', unwrapped)

    def test_broken_json_is_left_as_text(self):
        text = '{"fix": "unterminated\n'
        self.assertEqual((text, []), answer.unwrap(text))

    def test_deep_json_does_not_recurse_forever(self):
        value = 'x'
        for _ in range(60):
            value = {'a': value}
        text, notes = answer.unwrap(json.dumps(value))
        self.assertEqual(1, len(notes))


class TestTables(testtools.TestCase):

    def _replacement(self, text):
        """The new code of the one replacement ``text``'s table makes."""
        _parsed, changes = _changes(text)
        self.assertEqual([model.REPLACE], [c.kind for c in changes])
        return changes[0].new

    def test_before_and_after_columns_become_a_replacement(self):
        text = ('| # | Current code | Suggested code | Why |\n'
                '|---|---|---|---|\n'
                '| 1 | `self.assertEqual(no_usage, source_rp_usages)` | '
                '`self.assertDictEqual(no_usage, source_rp_usages)` | '
                'clearer |\n')
        self.assertEqual('self.assertDictEqual(no_usage, source_rp_usages)',
                         self._replacement(text))

    def test_a_removal_in_the_after_column_removes_the_before_code(self):
        # The other cells name other code ("the wait only returns ..."):
        # what goes is the before column's statement, nothing they name.
        text = ('| # | Current code | Suggested code | Why |\n'
                '|---|---|---|---|\n'
                "| 1 | `self.assertEqual('error', migration['status'])` | "
                'remove the line | `_wait_for_migration_status` only returns '
                'a migration in that state |\n')
        _parsed, changes = _changes(text)
        self.assertEqual([model.REMOVE], [c.kind for c in changes])
        self.assertEqual("self.assertEqual('error', migration['status'])",
                         changes[0].old)
        _parsed, changes = _changes(text.replace('remove the line',
                                                 '*(delete)*'))
        self.assertEqual([model.REMOVE], [c.kind for c in changes])

    def test_headers_in_other_words_read_by_the_code_columns(self):
        # "Row | Now | Proposal" in Danish: the left code cell is the code
        # as it is, the right one the proposal; a row whose proposal is
        # words ("unchanged") proposes nothing.
        text = ('| Linje | Nu | Forslag |\n|---|---|---|\n'
                "| 94 | `self.assertEqual(no_usage, source_rp_usages)` | "
                '`self.assertTrue(source_rp_usages)` |\n'
                "| 76 | `server = self._resize_and_assert_error(server, "
                "'host2')` | *(uændret)* |\n")
        self.assertEqual('self.assertTrue(source_rp_usages)',
                         self._replacement(text))

    def test_columns_named_for_versions_compare_and_propose_nothing(self):
        text = ('| Line | Ours | Upstream |\n|---|---|---|\n'
                "| 94 | `self.assertEqual(no_usage, source_rp_usages)` | "
                '`self.assertEqual({}, source_rp_usages)` |\n')
        unwrapped, _count = tables.tables_as_sentences(text)
        self.assertNotIn('Replace', unwrapped)

    def test_other_tables_become_sentences_with_their_headers(self):
        text = ('Intro.\n\n| Line | Finding |\n|---|---|\n'
                '| 94 | fine |\n| 60 | also fine |\n\nEnd.\n')
        unwrapped, count = tables.tables_as_sentences(text)
        self.assertEqual(1, count)
        self.assertIn('Line: 94; Finding: fine.', unwrapped)
        self.assertEqual(text.count('\n'), unwrapped.count('\n'))

    def test_pipes_in_code_blocks_are_not_tables(self):
        text = '```\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n'
        self.assertEqual((text, 0), tables.tables_as_sentences(text))


class TestCommentsAndLanguages(testtools.TestCase):

    def test_gerrit_inline_comment_question(self):
        _parsed, changes = _changes(
            'PS2, Line 94: should this be '
            '`assertDictEqual(no_usage, source_rp_usages)`?\n')
        self.assertEqual([model.LINE_CHANGE], [c.kind for c in changes])
        # The comment dropped "self."; the line it changes has it.
        self.assertEqual('self.assertDictEqual(no_usage, source_rp_usages)',
                         changes[0].code)

    def test_terse_renames(self):
        for text in ('Rename: `no_usage` to `empty_usage`.\n',
                     'nit: `no_usage` -> `empty_usage`\n',
                     '`no_usage` -> `empty_usage` would read better.\n'):
            _parsed, changes = _changes(text)
            self.assertEqual([('no_usage', 'empty_usage')],
                             [(c.old, c.new) for c in changes], text)

    def test_an_arrow_alone_is_not_a_rename(self):
        _parsed, changes = _changes('`a` -> `b` is the data flow.\n')
        self.assertEqual([], changes)

    def test_a_described_statement_that_can_be_removed(self):
        _parsed, changes = _changes(
            'The `return server` statement is unnecessary and can be '
            'removed.\n')
        self.assertEqual([(model.REMOVE, 'return server')],
                         [(c.kind, c.old) for c in changes])

    def test_a_request_in_another_language_is_a_claim(self):
        parsed = container.parse_text(
            'Die Quellpr\u00fcfung sollte strenger sein.\n')
        _changes_, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual([model.UNPARSED_CLAIM],
                         [f.kind for f in findings])

    def test_code_introduced_in_another_language_is_a_proposal(self):
        _parsed, changes = _changes(
            'Bitte ersetzen:\n\n```python\n'
            'self.assertEqual(no_usage, source_rp_usages, "leer")\n```\n')
        self.assertEqual([model.TEST_SNIPPET], [c.kind for c in changes])


class TestHeldout10Classes(testtools.TestCase):
    """The classes heldout10 found, each in words of our own."""

    def test_json_statement_over_several_lines_and_nested_location(self):
        text = json.dumps({'findings': [{
            'where': {'path': 'x.py', 'start_line': 84, 'end_line': 85},
            'original': 'self.assertFlavorMatchesAllocation(\n'
                        '    self.flavor2, server["id"], dest_rp_uuid)',
            'replacement': 'self.assertFlavorMatchesUsage(dest_rp_uuid, '
                           'self.flavor2)'}]})
        _parsed, changes = _changes(text)
        self.assertEqual([model.REPLACE], [c.kind for c in changes])
        self.assertIn('assertFlavorMatchesAllocation', changes[0].old)

    def test_json_nested_fix_object_with_a_line(self):
        text = json.dumps({'comments': [{
            'location': {'line': 94},
            'fix': {'kind': 'replace_line',
                    'code': 'self.assertEqual(no_usage, source_rp_usages, '
                            'message="host1")'}}]})
        _parsed, changes = _changes(text)
        self.assertEqual([model.LINE_CHANGE], [c.kind for c in changes])
        self.assertEqual(94, changes[0].line)

    def test_json_recommendation_without_code_is_a_claim(self):
        parsed = container.parse_text(json.dumps({'findings': [{
            'recommendation': 'Create dedicated flavors for the test.'}]}))
        changes, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual([], changes)
        self.assertEqual([model.UNPARSED_CLAIM], [f.kind for f in findings])

    def test_renames_in_other_languages(self):
        for text in (
                'Bitte `no_usage` in `empty_usage` umbenennen.\n',
                'Je propose de renommer `no_usage` en `empty_usage`.\n',
                '`no_usage` を `empty_usage` にリネームしてください。\n',
                'Hãy đổi tên `no_usage` thành `empty_usage`.\n'):
            _parsed, changes = _changes(text)
            self.assertEqual([('no_usage', 'empty_usage')],
                             [(c.old, c.new) for c in changes
                              if c.kind == model.RENAME], text)

    def test_two_names_renamed_in_one_breath(self):
        _parsed, changes = _changes(
            'Rename `source_rp_uuid` and `dest_rp_uuid` to `src` and '
            '`dst`.\n')
        self.assertEqual([('source_rp_uuid', 'src'), ('dest_rp_uuid', 'dst')],
                         [(c.old, c.new) for c in changes])

    def test_a_binding_renamed_renames_its_uses(self):
        _parsed, changes = _changes(
            "Replace `no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}` "
            "with `empty = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}`.\n")
        self.assertEqual([(model.RENAME, 'no_usage', 'empty')],
                         [(c.kind, c.old, c.new) for c in changes])

    def test_a_quoted_block_to_remove(self):
        _parsed, changes = _changes(
            'Remove the usage assertion on line 87:\n\n'
            '    self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)\n')
        self.assertEqual(
            [(model.REMOVE,
              'self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)')],
            [(c.kind, c.old) for c in changes])

    def test_a_quoted_block_kept_is_not_removed(self):
        _parsed, changes = _changes(
            'I would not remove these lines:\n\n'
            '    self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)\n')
        self.assertEqual([], changes)

    def test_lines_removed_in_another_language(self):
        _parsed, changes = _changes(
            "Supprimez l'appel `assertFlavorMatchesAllocation` des lignes "
            "84-85.\n")
        self.assertEqual([(model.REMOVE, 84), (model.REMOVE, 85)],
                         [(c.kind, c.line) for c in changes])

    def test_lines_named_for_other_code_are_not_removed(self):
        _parsed, changes = _changes(
            "Supprimez l'appel `assertFlavorMatchesUsage` des lignes "
            "84-85.\n")
        self.assertEqual([], [c for c in changes if c.line in (84, 85)])

    def test_remove_it_and_keep_a_name(self):
        _parsed, changes = _changes(
            "Line 60: I'd remove it and keep `_resize_and_assert_error` "
            "about the error itself.\n")
        self.assertEqual([(model.REMOVE, 60)],
                         [(c.kind, c.line) for c in changes])


class TestHeldout11Classes(testtools.TestCase):
    """The classes heldout11 found, each in words of our own."""

    def test_requests_in_more_languages_are_claims(self):
        for text in ('Testet borde t\u00e4cka ett fall till.\n',
                     'Prosím, p\u0159idejte dal\u0161\u00ed test.\n',
                     'Mohon tambahkan satu kasus lagi.\n',
                     'L\u00fctfen bir test daha ekleyin.\n'):
            parsed = container.parse_text(text)
            _changes_, findings = extract.extract(
                parsed, {'test': canonical.read_test()})
            self.assertEqual([model.UNPARSED_CLAIM],
                             [f.kind for f in findings], text)

    def test_a_diff_that_changes_nothing_is_an_unread_claim(self):
        parsed = container.parse_text(
            'Fix:\n\n```diff\n@@ -94 +94 @@\n'
            '-        self.assertEqual(no_usage, source_rp_usages)\n'
            '+        self.assertEqual(no_usage, source_rp_usages)\n```\n')
        changes, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual([], changes)
        self.assertIn('unchanged', findings[0].message)

    def test_a_line_removed_with_an_aside(self):
        _parsed, changes = _changes(
            'The assertion on line 87 (and its comment on line 86) should '
            'be removed.\n')
        self.assertEqual([(model.REMOVE, 87)],
                         [(c.kind, c.line) for c in changes])

    def test_a_table_column_named_like_a_verb_asks_nothing(self):
        parsed = container.parse_text(
            '| check | line |\n|---|---|\n| host1 usage | 94 |\n')
        changes, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual(([], []), (changes, findings))

    def test_insert_before_a_line_in_korean(self):
        _parsed, changes = _changes(
            '78\ubc88\uc9f8 \uc904 \uc55e\uc5d0 \ub2e4\uc74c\uc744 '
            '\uc0bd\uc785\ud574 \uc8fc\uc138\uc694:\n\n```python\n'
            "self.assertEqual('ERROR', server['status'])\n```\n")
        self.assertEqual([model.INSERT], [c.kind for c in changes])

    def test_a_removal_asked_after_the_quotation(self):
        _parsed, changes = _changes(
            'The last check:\n\n```python\n'
            "migration_uuid = self.get_migration_uuid_for_instance("
            "server['id'])\n"
            'self.assertEqual(\n'
            '    {}, self._get_allocations_by_server_uuid(migration_uuid))\n'
            '```\n\nIt adds nothing.\n\nBoth statements (the '
            '`migration_uuid` lookup and the `assertEqual`) should be '
            'removed.\n')
        self.assertEqual([model.REMOVE, model.REMOVE],
                         [c.kind for c in changes])

    def test_lines_quoted_under_a_gerrit_header_go_when_pointed_at(self):
        # Gerrit quotes the lines a comment is on with "> ": code, not
        # prose; the comment is on all three, and "these lines" are they.
        _parsed, changes = _changes(
            'PS4, Line 92:\n'
            '> source_rp_usages = self._get_provider_usages(source_rp_uuid)\n'
            "> no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}\n"
            '> self.assertEqual(no_usage, source_rp_usages)\n\n'
            'Two checks for one fact. These three lines can go.\n')
        self.assertEqual([(model.REMOVE, 92), (model.REMOVE, 93),
                          (model.REMOVE, 94)],
                         [(c.kind, c.line) for c in changes])

    def test_a_quotation_pointed_back_at_goes(self):
        quoted = ('The last check:\n\n```python\n'
                  "migration_uuid = self.get_migration_uuid_for_instance("
                  "server['id'])\n"
                  'self.assertEqual(\n'
                  '    {}, self._get_allocations_by_server_uuid('
                  'migration_uuid))\n```\n\n')
        _parsed, changes = _changes(quoted + 'Please remove them.\n')
        self.assertEqual([model.REMOVE, model.REMOVE],
                         [c.kind for c in changes])
        # A sentence that introduces code after it points at nothing
        # before it; a negated one removes nothing.
        for said in ("I'd drop the check:\n", "I wouldn't remove them.\n"):
            _parsed, changes = _changes(quoted + said)
            self.assertEqual([], changes, said)

    def test_prose_quoted_from_another_reviewer_stays_prose(self):
        parsed = container.parse_text(
            '> I think this is fine as it is.\n> No change needed.\n\n'
            'Agreed.\n')
        self.assertEqual(['prose', 'prose'],
                         [b.kind for b in parsed.blocks])

    def test_a_json_review_comment_suggests_for_its_lines(self):
        # GitHub's review comments: "line" (and "start_line") place the
        # body's suggestion; an empty suggestion deletes the lines.
        text = json.dumps({'comments': [
            {'path': 'tests/functional/test_bug_1825537.py', 'line': 94,
             'body': 'Clearer:\n\n```suggestion\n        self.assertEqual('
                     'no_usage, source_rp_usages, "host1")\n```'},
            {'path': 'tests/functional/test_bug_1825537.py',
             'start_line': 31, 'line': 32,
             'body': 'Stale comment.\n\n```suggestion\n```'}]})
        _parsed, changes = _changes(text)
        self.assertEqual([(model.LINE_CHANGE, 94), (model.REMOVE, 31),
                          (model.REMOVE, 32)],
                         [(c.kind, c.line) for c in changes])

    def test_a_line_proposed_in_other_words_in_romance_languages(self):
        # "I propose swapping line 87 for:" (Portuguese), "I propose"
        # (Spanish, Italian).
        for intro in ('Proponho trocar a linha 87 por:',
                      'Propongo cambiar la l\u00ednea 87 por:',
                      'Propongo di sostituire la riga 87 con:'):
            _parsed, changes = _changes(
                intro + '\n\n```python\nself.assertNotEqual({}, '
                'self._get_provider_usages(dest_rp_uuid))\n```\n')
            self.assertEqual([(model.LINE_CHANGE, 87)],
                             [(c.kind, c.line) for c in changes], intro)

    def test_lines_a_removal_has_for_subject_go_in_other_languages(self):
        # "Lines 97-99 (the consumer check) can be removed." in Greek,
        # Norwegian and Indonesian: the lines open the sentence.
        for said in ('Οι γραμμές 97-99 (ο έλεγχος) μπορούν να αφαιρεθούν.',
                     'Linjene 97-99 kan fjernes.',
                     'Baris 97-99 bisa dihapus.'):
            _parsed, changes = _changes('Fint arbeid. ' + said + '\n')
            self.assertEqual([(model.REMOVE, 97), (model.REMOVE, 98),
                              (model.REMOVE, 99)],
                             [(c.kind, c.line) for c in changes], said)
        # Lines named in another clause are no subject of the removal.
        for said in ('Linje 87 er fin, men fjern kommentaren.',
                     'Ikke fjern linjene 97-99.'):
            _parsed, changes = _changes(said + '\n')
            self.assertEqual([], changes, said)

    def test_a_quoted_line_goes_when_this_line_is_removed_in_words(self):
        quoted = '> self.assertEqual(no_usage, source_rp_usages)\n\n'
        _parsed, changes = _changes(quoted + 'Denne linjen kan fjernes.\n')
        self.assertEqual([model.REMOVE], [c.kind for c in changes])
        # "This comment can be removed" is about no statement.
        _parsed, changes = _changes(
            quoted + 'Denne kommentaren kan fjernes.\n')
        self.assertEqual([], changes)

    def test_greek_and_cyrillic_capitals_start_sentences(self):
        masked, _codes = prose.sentences_of(
            'Ωραία δουλειά. Οι γραμμές 97-99 μπορούν να αφαιρεθούν. '
            'Всё хорошо. Спасибо.')
        self.assertEqual(4, len(masked))

    def test_a_line_to_change_in_portuguese(self):
        _parsed, changes = _changes(
            'A linha 94 deveria ser alterada para:\n\n```python\n'
            'self.assertEqual(no_usage, source_rp_usages, "host1")\n```\n')
        self.assertEqual([(model.LINE_CHANGE, 94)],
                         [(c.kind, c.line) for c in changes])

    def test_nova_code_quoted_with_a_change_is_a_nova_patch(self):
        manager = canonical.nova_reader('nova/compute/manager.py')
        at = manager.index('self._delete_allocation_after_move(\n'
                           '                    context, instance, '
                           'migration)')
        start = manager.rindex('        except Exception:', 0, at)
        quoted = manager[start:at] + (
            'self._revert_allocation(context, instance, migration)\n')
        parsed = container.parse_text(
            'It should be:\n\n```python\n%s```\n' % quoted)
        changes, _findings = extract.extract(
            parsed, {'test': canonical.read_test()},
            {'nova/compute/manager.py': manager})
        self.assertEqual([model.NOVA_DIFF], [c.kind for c in changes])
        self.assertIn('+                self._revert_allocation(',
                      changes[0].code)


class TestHeldout12Classes(testtools.TestCase):
    """The classes heldout12 found, each in words of our own."""

    def test_json_delete_by_line_range(self):
        text = json.dumps([{'action': 'delete', 'start_line': 84,
                            'end_line': 85}])
        _parsed, changes = _changes(text)
        self.assertEqual([(model.REMOVE, 84), (model.REMOVE, 85)],
                         [(c.kind, c.line) for c in changes])

    def test_json_before_and_after_over_several_lines(self):
        text = json.dumps({'findings': [{
            'original': "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, "
                        "'DISK_GB': 0}\n"
                        '        self.assertEqual(no_usage, '
                        'source_rp_usages)',
            'replacement': "        for rc in ('VCPU', 'MEMORY_MB'):\n"
                           '            self.assertEqual(\n'
                           '                0, source_rp_usages[rc])'}]})
        _parsed, changes = _changes(text)
        self.assertEqual([model.TEST_DIFF], [c.kind for c in changes])

    def test_a_table_row_with_a_line_and_suggested_code(self):
        unwrapped, _count = tables.tables_as_sentences(
            '| Line | Suggested code |\n|---|---|\n'
            '| 95 | `self.assertEqual(1, 1)` |\n')
        self.assertIn('Line 95: this should be `self.assertEqual(1, 1)`.',
                      unwrapped)

    def test_a_chinese_description_is_no_request(self):
        parsed = container.parse_text(
            '\u6e90\u8282\u70b9\u7684\u5206\u914d\u5df2\u88ab '
            '`_delete_allocation_after_move` \u5220\u9664\u3002\n')
        changes, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual(([], []), (changes, findings))

    def test_a_hindi_removal_in_its_own_sentence(self):
        _parsed, changes = _changes(
            '\u092f\u0939 \u091c\u093e\u0901\u091a \u0920\u0940\u0915 '
            '\u0939\u0948\u0964 \u0907\u0938\u0932\u093f\u090f '
            "`self.assertIn('Virtual Interface creation failed', "
            "server['fault']['message'])` \u0939\u091f\u093e \u0926\u0940 "
            '\u091c\u093e\u0928\u0940 \u091a\u093e\u0939\u093f\u090f\u0964\n')
        self.assertEqual([model.REMOVE], [c.kind for c in changes])

    def test_a_place_by_line_introduces_a_block_in_any_language(self):
        _parsed, changes = _changes(
            'Nach Zeile 87:\n\n```python\n'
            "self.assertEqual(1, len(self._get_allocations_by_server_uuid("
            "server['id'])))\n```\n")
        self.assertEqual([model.INSERT], [c.kind for c in changes])


class TestCommentHeaders(testtools.TestCase):
    """Gerrit-style comments on a line: what they ask of that line."""

    def test_removal_naming_the_call_on_the_commented_line(self):
        _parsed, changes = _changes(
            'PS3, Line 55:\nThis cannot fail. Please drop this '
            'assertEqual, it is just noise.\n')
        self.assertEqual([(model.REMOVE, 55)],
                         [(c.kind, c.line) for c in changes])

    def test_a_header_in_bold_with_the_code_it_comments(self):
        _parsed, changes = _changes(
            "**Line 84-85** (`assertFlavorMatchesAllocation(self.flavor2, "
            "server['id'], dest_rp_uuid)`):\n\nThat is a lot of machinery. "
            "I'd simplify to:\n\n```python\nself.assertIn(\n    "
            "dest_rp_uuid, self._get_allocations_by_server_uuid("
            "server['id']))\n```\n")
        self.assertEqual([(model.LINE_CHANGE, 84), (model.REMOVE, 85)],
                         [(c.kind, c.line) for c in changes])

    def test_a_literal_offered_as_a_question(self):
        _parsed, changes = _changes(
            "PS2, Line 76: server = self._resize_and_assert_error(server, "
            "'host2')\nShould this be 'host1'? The resize failed.\n")
        self.assertEqual(
            [(model.LINE_CHANGE, 76,
              "server = self._resize_and_assert_error(server, 'host1')")],
            [(c.kind, c.line, c.code) for c in changes])

    def test_a_literal_the_line_does_not_hold_changes_nothing(self):
        _parsed, changes = _changes(
            'PS2, Line 76: looks fine.\nShould this be 42?\n')
        self.assertEqual([], changes)

    def test_a_foreign_line_intro_that_says_the_following(self):
        _parsed, changes = _changes(
            '87\ubc88\uc9f8 \uc904\uc744 \ub2e4\uc74c\uc73c\ub85c '
            '\ubc14\uafb8\ub294 \uac83\uc744 \uc81c\uc548\ud569\ub2c8\ub2e4.'
            "\n\n```python\nself.assertGreaterEqual(\n    self."
            "_get_provider_usages(dest_rp_uuid)['MEMORY_MB'], 1)\n```\n")
        self.assertEqual([(model.LINE_CHANGE, 87)],
                         [(c.kind, c.line) for c in changes])


class TestNovaQuotation(testtools.TestCase):

    def test_one_long_statement_of_nova_quoted_is_no_change(self):
        nova = {'nova/compute/manager.py': (
            'class ComputeManager(object):\n'
            '    def finish_resize(self, context, instance, migration):\n'
            '        try:\n'
            '            pass\n'
            '        except Exception:\n'
            '            self._delete_allocation_after_move(\n'
            '                context, instance, migration)\n')}
        parsed = container.parse_text(
            'Today the same block calls:\n\n```python\n'
            '                self._delete_allocation_after_move(\n'
            '                    context, instance, migration)\n```\n\n'
            'Nothing to change.\n')
        changes, _findings = extract.extract(
            parsed, {'test': canonical.read_test()}, nova)
        self.assertEqual([], changes)


class TestAnaphoricRemoval(testtools.TestCase):

    def test_it_points_back_at_the_statement_named_before(self):
        _parsed, changes = _changes(
            "The final `self.assertEqual('error', migration['status'])` "
            'can never fail. It can be removed.\n')
        self.assertEqual(
            [(model.REMOVE, "self.assertEqual('error', migration['status'])")],
            [(c.kind, c.old) for c in changes])

    def test_kept_or_unknown_code_is_not_removed(self):
        for text in ("`self.assertEqual('error', migration['status'])` "
                     'is tautological. It should not be removed.\n',
                     '`self.assertTrue(foo(1))` looks odd. It can be '
                     'removed.\n'):
            _parsed, changes = _changes(text)
            self.assertEqual([], changes, text)


class TestHeldout14Classes(testtools.TestCase):

    def test_a_label_with_a_path_is_prose_not_code(self):
        parsed = container.parse_text(
            '\u05e1\u05e7\u05d9\u05e8\u05d4: tests/functional/'
            'test_bug_1825537.py\n\nThe test is fine.\n')
        self.assertEqual(['prose', 'prose'], [b.kind for b in parsed.blocks])

    def test_a_header_alone_in_its_paragraph_opens_the_next(self):
        _parsed, changes = _changes(
            'PS4, Line 60:\n\nIs this really about placement? I would drop '
            'this assertEqual on the host.\n')
        self.assertEqual([(model.REMOVE, 60)],
                         [(c.kind, c.line) for c in changes])

    def test_these_lines_point_at_the_lines_the_paragraph_named(self):
        # Hindi: "lines 62-63 check the exact text ... please replace
        # these two lines with this:"
        _parsed, changes = _changes(
            '\u092a\u0902\u0915\u094d\u0924\u093f 62-63 \u092e\u0947\u0902 '
            'fault \u0915\u0940 \u091c\u093e\u0901\u091a \u0939\u0948\u0964 '
            '\u0915\u0943\u092a\u092f\u093e \u0907\u0928 \u0926\u094b '
            '\u092a\u0902\u0915\u094d\u0924\u093f\u092f\u094b\u0902 '
            '\u0915\u094b '
            '\u0907\u0938\u0938\u0947 \u092c\u0926\u0932\u0947\u0902:\n\n'
            "```python\nself.assertIn('message', server['fault'])\n```\n")
        self.assertEqual([(model.LINE_CHANGE, 62), (model.REMOVE, 63)],
                         [(c.kind, c.line) for c in changes])

    def test_a_finnish_request_without_code_is_a_claim(self):
        parsed = container.parse_text(
            'Testi on hyv\u00e4, mutta tarkistus pit\u00e4isi tehd\u00e4 '
            'tiukemmaksi.\n')
        _changes_made, findings = extract.extract(
            parsed, {'test': canonical.read_test()})
        self.assertEqual([model.UNPARSED_CLAIM], [f.kind for f in findings])

    def test_a_github_suggestion_replaces_the_lines_commented(self):
        _parsed, changes = _changes(
            '**tests/functional/test_bug_1825537.py**, lines 93-94\n\n'
            'Noisy output.\n\n```suggestion\n'
            "self.assertEqual(0, source_rp_usages['VCPU'])\n```\n")
        self.assertEqual([(model.LINE_CHANGE, 93), (model.REMOVE, 94)],
                         [(c.kind, c.line) for c in changes])

    def test_please_remove_it_points_at_the_paragraph_before(self):
        _parsed, changes = _changes(
            "> `self.assertEqual('error', migration['status'])`\n\n"
            'This cannot fail. Please remove it.\n')
        self.assertEqual(
            [(model.REMOVE, "self.assertEqual('error', migration['status'])")],
            [(c.kind, c.old) for c in changes])

    def test_a_statement_asked_removed_twice_is_removed_once(self):
        _parsed, changes = _changes(
            "Remove `self.assertEqual('error', migration['status'])`. "
            'It can be removed.\n')
        self.assertEqual(1, len(changes))

    def test_lines_of_a_named_version_that_do_not_map_are_not_ours(self):
        # Lines 69-81 of the recreate version (f4bb672106) hold its FIXME
        # block; ours' lines 69-81 are other code, and a replacement by
        # number there would delete the boot and the resize.
        _parsed, changes = _changes(
            '\u518d\u73fe\u30c6\u30b9\u30c8\uff08f4bb672106\uff09\u3002'
            '69\u301c81\u884c\u76ee\u306e\u30d6\u30ed\u30c3\u30af\u3092'
            '\u6b21\u306e\u3088\u3046\u306b\u7f6e\u304d\u63db\u3048\u308b'
            '\u3079\u304d\u3060\u3068\u601d\u3044\u307e\u3059\u3002\n\n'
            "```python\nself.assertFlavorMatchesAllocation(\n    "
            "self.flavor2, server['id'], dest_rp_uuid)\n```\n")
        self.assertNotIn(model.LINE_CHANGE, [c.kind for c in changes])
