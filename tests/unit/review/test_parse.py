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

import codecs
import contextlib
import io
import os
import tempfile
import time

import testtools

from nova_resize_checks.review import model
from nova_resize_checks.review.read import container

SAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', 'samples',
                       'reviews')


def kinds(parsed):
    return [b.kind for b in parsed.blocks]


def only(parsed, kind):
    return [b for b in parsed.blocks if b.kind == kind]


def first_fence(text):
    """The first code block ``text`` holds, and the whole parse."""
    parsed = container.parse_text(text)
    return only(parsed, 'fence')[0], parsed


class TestDecode(testtools.TestCase):

    def test_utf8_bom(self):
        text, errors = container.decode_bytes(codecs.BOM_UTF8 + b'No defects')
        self.assertEqual('No defects', text)
        self.assertEqual([], errors)

    def test_utf16_le_and_be_boms(self):
        for codec, bom in (('utf-16-le', codecs.BOM_UTF16_LE),
                           ('utf-16-be', codecs.BOM_UTF16_BE)):
            data = bom + 'a\r\nb \u00e9'.encode(codec)
            self.assertEqual('a\nb \u00e9', container.decode_bytes(data)[0])

    def test_utf32_bom(self):
        data = codecs.BOM_UTF32_LE + 'x\ny'.encode('utf-32-le')
        self.assertEqual('x\ny', container.decode_bytes(data)[0])

    def test_utf16_without_bom(self):
        data = 'No security defects are detected.'.encode('utf-16-le')
        self.assertEqual('No security defects are detected.',
                         container.decode_bytes(data)[0])
        data = 'No security defects are detected.'.encode('utf-16-be')
        self.assertEqual('No security defects are detected.',
                         container.decode_bytes(data)[0])

    def test_invalid_utf8_is_replaced(self):
        text, errors = container.decode_bytes(b'ok \xff\xfe\xfa text\n')
        self.assertIn('\ufffd', text)
        self.assertTrue(text.startswith('ok '))
        self.assertEqual([], errors)

    def test_nul_bytes_and_line_ends(self):
        text, _ = container.decode_bytes(b'a\x00b\r\nc\rd\n')
        self.assertEqual('ab\nc\nd\n', text)

    def test_binary_is_reported(self):
        data = bytes(range(256)) * 64
        text, errors = container.decode_bytes(data)
        self.assertEqual(1, len(errors))
        self.assertIn('does not look like text', errors[0])


class TestReadReview(testtools.TestCase):

    def setUp(self):
        super(TestReadReview, self).setUp()
        self.tmp = self.useFixture_tmpdir()

    def useFixture_tmpdir(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        return tmp.name

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def test_missing_file(self):
        parsed = container.read_review(os.path.join(self.tmp, 'nope.txt'))
        self.assertEqual([], parsed.blocks)
        self.assertEqual(1, len(parsed.errors))
        self.assertIn('cannot read review', parsed.errors[0])

    def test_directory_and_bad_path(self):
        self.assertIn('cannot read review',
                      container.read_review(self.tmp).errors[0])
        self.assertIn('cannot read review',
                      container.read_review(None).errors[0])
        self.assertIn('cannot read review',
                      container.read_review('bad\x00path').errors[0])

    def test_too_large_file_is_not_read(self):
        path = os.path.join(self.tmp, 'big.txt')
        with open(path, 'wb') as f:
            f.truncate(20 * 1024 * 1024)
        start = time.monotonic()
        parsed = container.read_review(path)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual([], parsed.blocks)
        self.assertIn('too large', parsed.errors[0])

    def test_utf16_crlf_review(self):
        text = ('\ufeffNo security defects are detected.\r\n\r\n'
                '```python\r\nx = 1\r\n```\r\n')
        path = self.write('r.txt', text.encode('utf-16-le'))
        parsed = container.read_review(path)
        self.assertEqual([], parsed.errors)
        self.assertTrue(parsed.claims_no_defects)
        fence = only(parsed, 'fence')[0]
        self.assertEqual('x = 1', fence.text)
        self.assertEqual(model.Span(3, 5), fence.span)

    def test_samples_read_cleanly(self):
        names = [n for n in os.listdir(SAMPLES)
                 if n.endswith(('.txt', '.md')) and
                 not n.endswith('.expect.json')]
        self.assertGreaterEqual(len(names), 12)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            for name in names:
                parsed = container.read_review(os.path.join(SAMPLES, name))
                self.assertEqual([], parsed.errors, name)
                self.assertTrue(parsed.blocks, name)
        self.assertEqual('', out.getvalue())

    def test_bom_crlf_sample(self):
        parsed = container.read_review(
            os.path.join(SAMPLES, 'crlf_bom_comment_lines.txt'))
        self.assertNotIn('\r', parsed.text)
        self.assertFalse(parsed.text.startswith('\ufeff'))
        self.assertTrue(parsed.claims_no_defects)


class TestLimits(testtools.TestCase):

    def test_non_text(self):
        parsed = container.parse_text(b'bytes')
        self.assertIn('not str', parsed.errors[0])

    def test_huge_text_is_refused_fast(self):
        text = 'word ' * (1024 * 1024)
        start = time.monotonic()
        parsed = container.parse_text(text)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual([], parsed.blocks)
        self.assertIn('too large', parsed.errors[0])

    def test_too_many_lines(self):
        parsed = container.parse_text('\n' * (container.MAX_REVIEW_LINES + 5))
        self.assertIn('lines', parsed.errors[0])

    def test_ten_thousand_fences(self):
        text = ''.join('Fixed code %d:\n```python\nx = %d\n```\n' % (i, i)
                       for i in range(10000))
        start = time.monotonic()
        parsed = container.parse_text(text)
        self.assertLess(time.monotonic() - start, 20)
        self.assertEqual(10000, len(only(parsed, 'fence')))
        self.assertEqual('x = 9999', only(parsed, 'fence')[-1].text)

    def test_pathological_inputs_finish(self):
        texts = [
            '`' * 100000,
            '`a' * 50000,
            '> ' * 20000 + 'x',
            '- ' * 20000 + 'x',
            '(' * 100000,
            '1. `1 x\n' * 5000,
            '12 ' + 'x' * 100000,
            '```\n' + '@@ -1 +1 @@\n' * 5000,
            ('--- a\n+++ b\n' * 3000),
            'no ' * 100000 + 'defects',
        ]
        for text in texts:
            start = time.monotonic()
            parsed = container.parse_text(text)
            self.assertLess(time.monotonic() - start, 15, text[:20])
            self.assertIsInstance(parsed, model.ParsedReview)


class TestFences(testtools.TestCase):

    def test_fence_info_and_span(self):
        parsed = container.parse_text(
            'Intro:\n\n```python title="x"\na = 1\nb = 2\n```\nafter\n')
        self.assertEqual(['prose', 'fence', 'prose'], kinds(parsed))
        fence = parsed.blocks[1]
        self.assertEqual('python title="x"', fence.info)
        self.assertEqual('a = 1\nb = 2', fence.text)
        self.assertEqual(model.Span(3, 6), fence.span)
        self.assertEqual(model.Span(7, 7), parsed.blocks[2].span)

    def test_a_fence_indented_under_a_footnote_is_that_fence(self):
        fence, parsed = first_fence(
            'Worth a look.[^1]\n\n[^1]: After line 79 add:\n\n'
            '    ```python\n        x = f(1)\n    ```\n')
        self.assertEqual('python', fence.info)
        self.assertEqual('x = f(1)', fence.text)

    def test_code_indented_under_a_quotation_is_code(self):
        parsed = container.parse_text(
            'Quoting reviewer 1:\n\n> After line 63 add:\n>\n'
            '>     x = f(1)\n>\n> so it shows.\n')
        self.assertEqual(['x = f(1)'],
                         [b.text for b in only(parsed, 'fence')])

    def test_diff_lines_indented_as_list_items_stay_a_diff(self):
        # "-        self.assert..." makes a list item with indented
        # content: that is not a code block of its own.
        parsed = container.parse_text(
            'Patch:\n\n--- a/t.py\n+++ b/t.py\n@@ -1,3 +1,2 @@\n'
            '         a = 1\n-        self.assertTrue(\n-            a)\n')
        self.assertEqual(['diff'], [b.info for b in only(parsed, 'fence')])

    def test_tilde_fence_and_list_item_fence(self):
        fence, parsed = first_fence(
            '1. Do this:\n\n   ~~~diff\n   - a\n   + b\n   ~~~\n2. next\n')
        self.assertEqual('diff', fence.info)
        self.assertEqual('- a\n+ b', fence.text)
        self.assertEqual(model.Span(3, 6), fence.span)

    def test_deeply_indented_list_fence(self):
        parsed = container.parse_text(
            '- item\n\n  - sub item:\n\n      ```python\n      x = 1\n'
            '      ```\n')
        self.assertEqual(['x = 1'], [b.text for b in only(parsed, 'fence')])

    def test_unterminated_fence_runs_to_end(self):
        fence, parsed = first_fence('Fix:\n```python\nx = 1\ny = 2\n')
        self.assertEqual('x = 1\ny = 2', fence.text)
        self.assertEqual(2, fence.span.start)

    def test_unterminated_fence_gives_back_trailing_prose(self):
        fence, parsed = first_fence(
            'Fix:\n```python\nx = 1\n\nI hope this helps! Let me know if '
            'you have any questions.\n')
        self.assertEqual('x = 1', fence.text)
        self.assertEqual(model.Span(2, 3), fence.span)
        self.assertIn('I hope this helps', only(parsed, 'prose')[-1].text)

    def test_indented_code_block(self):
        fence, parsed = first_fence(
            'Fixed:\n\n    x = 1\n    y = 2\n\nend\n')
        self.assertEqual(('', 'x = 1\ny = 2'), (fence.info, fence.text))

    def test_fence_with_numbered_lines_is_listing(self):
        parsed = container.parse_text(
            'Updated code:\n```python\n13 from nova import x\n14 \n'
            '16 class A(\n17         B):\n```\n')
        listing = only(parsed, 'listing')[0]
        self.assertEqual('python', listing.info)
        self.assertEqual((13, 14, 16, 17), listing.numbers)
        self.assertEqual('from nova import x\n\nclass A(\n        B):',
                         listing.text)
        self.assertEqual([], only(parsed, 'fence'))

    def test_diff_fence_with_numbers_stays_a_fence(self):
        parsed = container.parse_text('```diff\n12 a\n13 b\n```\n')
        self.assertEqual(['fence'], kinds(parsed))


class TestListings(testtools.TestCase):

    def test_plain_text_listing(self):
        parsed = container.parse_text(
            'The fixed code should look like:\n'
            '75         self.assertFlavorMatchesAllocation(\n'
            "76             self.flavor2, server['id'], dest_rp_uuid)\n"
            'Thanks.\n')
        listing = only(parsed, 'listing')[0]
        self.assertEqual('', listing.info)
        self.assertEqual((75, 76), listing.numbers)
        self.assertEqual(model.Span(2, 3), listing.span)
        self.assertTrue(listing.text.startswith(
            '        self.assertFlavorMatchesAllocation('))
        self.assertEqual(['prose', 'listing', 'prose'], kinds(parsed))

    def test_single_code_line(self):
        parsed = container.parse_text(
            'Line:\n75         self.assertFlavorMatchesAllocation(\n')
        self.assertEqual((75,), only(parsed, 'listing')[0].numbers)

    def test_numbers_in_prose_are_not_listings(self):
        parsed = container.parse_text(
            'We found\n2 issues in the code and\n1825537 is the bug.\n')
        self.assertEqual([], only(parsed, 'listing'))

    def test_inline_backtick_listing(self):
        parsed = container.parse_text(
            '1. `1 # Licensed under`: This line is a header.\n'
            '4. `4 #\n5 #      http://example.org`: This line is a URL.\n'
            '12. `24 \n13     def setUp(self):`: This line defines.\n'
            '8. `17     """Test for bug.": This line has no closing tick.\n'
            '75. `7')
        inline = [b for b in only(parsed, 'listing') if b.info == 'inline']
        self.assertEqual(
            [(1,), (4, 5), (24, 13), (17,)], [b.numbers for b in inline])
        self.assertEqual('# Licensed under', inline[0].text)
        self.assertEqual('#\n#      http://example.org', inline[1].text)
        self.assertEqual(model.Span(2, 3), inline[1].span)
        self.assertEqual('\n    def setUp(self):', inline[2].text)
        self.assertEqual('    """Test for bug."', inline[3].text)
        # The prose stays prose (one block per bullet).
        self.assertEqual(5, len(only(parsed, 'prose')))

    def test_number_lines(self):
        self.assertEqual(((3, 4, 5), ['a', '', '  b']),
                         container.number_lines(['3 a', '', '5   b']))
        self.assertIsNone(container.number_lines(['3 a', 'b']))
        self.assertIsNone(container.number_lines(['', '']))
        self.assertEqual(((7, 8), ['x', 'y']),
                         container.number_lines(['7: x', '8| y']))


class TestUnfencedDiff(testtools.TestCase):

    def test_diff_in_plain_text(self):
        fence, parsed = first_fence(
            'Patch:\n\n--- a/t.py\n+++ b/t.py\n@@ -1,2 +1,2 @@\n x\n-y\n'
            '+z\n\nThat is all.\n')
        self.assertEqual('diff', fence.info)
        self.assertEqual(model.Span(3, 8), fence.span)
        self.assertTrue(fence.text.endswith('+z'))
        self.assertEqual('That is all.', parsed.blocks[-1].text)

    def test_bare_hunk(self):
        parsed = container.parse_text('@@ -3 +3 @@\n-a\n+b\n')
        self.assertEqual(['fence'], kinds(parsed))

    def test_hunks_without_numbers_in_plain_text(self):
        fence, parsed = first_fence(
            'Simplify:\n\n@@\n         a = 1\n-        b = 2\n@@ def f\n'
            '         c = 3\n+        d = 4\n\nApprove.\n')
        self.assertEqual('diff', fence.info)
        self.assertEqual(model.Span(3, 8), fence.span)
        self.assertEqual('Approve.', parsed.blocks[-1].text)

    def test_at_signs_in_prose_are_not_a_diff(self):
        parsed = container.parse_text(
            '@@ is how a hunk starts.\nNothing else.\n')
        self.assertEqual([], only(parsed, 'fence'))

    def test_header_without_changes_is_prose(self):
        parsed = container.parse_text('--- a/x\n+++ b/x\nnothing\n')
        self.assertEqual([], only(parsed, 'fence'))


class TestProse(testtools.TestCase):

    def test_items_and_headings(self):
        parsed = container.parse_text(
            '# Title\nIntro line one\nintro two\n\n1. first\n   more\n'
            '2. second\n- dash\n')
        prose = [b.text for b in only(parsed, 'prose')]
        self.assertEqual(['# Title', 'Intro line one\nintro two',
                          '1. first\n   more', '2. second', '- dash'],
                         prose)


class TestVerdict(testtools.TestCase):

    def verdict(self, text):
        return container.parse_text(text).claims_no_defects

    def test_no_defects(self):
        for text in (' No security defects are detected in the code.',
                     'I did not find any security issues.',
                     'The code does not contain any vulnerabilities.',
                     'No defects found.',
                     'There are no issues identified in this test.'):
            self.assertTrue(self.verdict(text), text)

    def test_defects(self):
        for text in ('I have found one potential issue:',
                     'I identified two security defects.',
                     'A vulnerability was found in line 3.',
                     '1. CWE-682: Incorrect Calculation',
                     'Defects found: 2'):
            self.assertIs(False, self.verdict(text), text)

    def test_neither(self):
        self.assertIsNone(self.verdict('The test looks fine to me.'))
        self.assertIsNone(self.verdict('I have not found any issue. Ok.'))

    def test_earliest_statement_wins(self):
        self.assertTrue(self.verdict(
            'No security defects are detected.\n\nSecurity Defects:\n'
            '1. CWE-20 would apply if input were read.'))
        self.assertIs(False, self.verdict(
            'I found one potential issue. Otherwise no other defects are '
            'detected.'))

    def test_verdict_ignores_code(self):
        self.assertIsNone(self.verdict('```python\n# CWE-79\n```\n'))

    def test_cwe_ids(self):
        parsed = container.parse_text(
            'CWE-682 and cwe 79, again CWE-682 and CWE-0079.')
        self.assertEqual(('CWE-682', 'CWE-79'), parsed.cwe_ids)


class TestCodeSpans(testtools.TestCase):

    def test_spans(self):
        text = 'a `x` b ``y ` z`` c `unclosed'
        spans = container.code_spans(text)
        self.assertEqual(['x', 'y ` z'], [s[2] for s in spans])
        self.assertEqual('`x`', text[spans[0][0]:spans[0][1]])

    def test_many_backticks_is_linear(self):
        start = time.monotonic()
        container.code_spans('`' * 200000 + 'x' + '``a``' * 50000)
        self.assertLess(time.monotonic() - start, 5)

    def test_looks_like_prose(self):
        self.assertTrue(container.looks_like_prose(
            'I hope this helps! Let me know if you have questions.'))
        self.assertFalse(container.looks_like_prose('x = compute(a, b)'))
        self.assertFalse(container.looks_like_prose(''))
