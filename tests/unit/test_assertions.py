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


import os

import testtools

from nova_resize_checks import assertions

HERE = os.path.dirname(os.path.abspath(__file__))
CANONICAL = os.path.join(os.path.dirname(HERE), 'functional',
                         'test_bug_1825537.py')


def _source():
    with open(CANONICAL) as f:
        return f.read()


def _line_of(source, needle):
    for number, line in enumerate(source.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError('%r not in source' % needle)


def _traceback(path, line, message):
    return ('Traceback (most recent call last):\n'
            '  File "/x/testtools/testcase.py", line 10, in _run\n'
            '    return fn(*args)\n'
            '  File "%s", line %d, in '
            'test_finish_resize_fails_allocation_cleanup\n'
            '    self.something()\n'
            '  File "/x/nova/tests/functional/integrated_helpers.py", '
            'line 1073, in assertFlavorMatchesAllocation\n'
            '    self.assertEqual(\n'
            '%s\n' % (path, line, message))


class TestAllocationLines(testtools.TestCase):

    def test_canonical_allocation_assertions(self):
        source = _source()
        lines = assertions.allocation_assertion_lines(source)
        for needle in ('self.assertFlavorMatchesAllocation(',
                       'self.assertFlavorMatchesUsage(dest_rp_uuid',
                       'self.assertEqual(no_usage, source_rp_usages)'):
            self.assertIn(_line_of(source, needle), lines, needle)
        # The checks inside _resize_and_assert_error are not placement
        # assertions, nor is the boot helper.
        self.assertNotIn(_line_of(source, "self.assertIn('Virtual"), lines)
        self.assertNotIn(
            _line_of(source, 'self._boot_and_check_allocations('), lines)

    def test_multiline_call_spans_every_line(self):
        source = _source()
        first = _line_of(source, 'self.assertFlavorMatchesAllocation(')
        self.assertIn(first + 1,
                      assertions.allocation_assertion_lines(source))

    def test_fail_and_assert_statements_are_assertions(self):
        # A check re-raised with details (self.fail in an except
        # AssertionError) and a bare assert fail as assertions do.
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self.assertEqual(1, 1)\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        try:\n'
               '            self.assertEqual(\n'
               '                {}, self._get_provider_usages(u))\n'
               '        except AssertionError:\n'
               '            self.fail("usage %s" % (\n'
               '                u,))\n'
               '        usages = self._get_provider_usages(u)\n'
               '        assert usages == {}\n'
               '        self.log("done")\n')
        self.assertEqual({6, 7, 9, 10, 12},
                         assertions.allocation_assertion_lines(src))

    def test_a_message_reading_placement_is_not_a_placement_check(self):
        # Round 10: a mock's calls compared, with the usages only in the
        # message (positional or msg=), or a fail whose if does not read
        # placement, catch no placement mutant.  The same fail under an
        # if that reads placement does.
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        usages = self._get_provider_usages(u)\n'
               '        self.assertEqual([1], seen[-1:], usages)\n'
               '        self.assertTrue(seen, msg=str(usages))\n'
               '        assert seen, usages\n'
               '        if seen:\n'
               '            self.fail(usages)\n'
               '        if usages != {}:\n'
               '            self.fail("left over")\n'
               '        self.assertEqual({}, usages, "source usage")\n')
        self.assertEqual({11, 12},
                         assertions.allocation_assertion_lines(src))

    def test_only_assertions_that_read_placement_count(self):
        # A mock's calls, a review's own "placement" helper, a local that
        # was bound from placement and then rebound: none reads placement.
        src = ('class T:\n'
               '    def _get_provider_usages(self, u):\n'
               '        return {}\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        spy.assert_called_once_with(u)\n'
               '        self.assertEqual({}, self._get_provider_usages(u))\n'
               '        a = self._get_allocations_by_server_uuid(s)\n'
               '        a = {}\n'
               '        self.assertEqual({}, a)\n'
               '        b = self._get_allocations_by_server_uuid(s)\n'
               '        self.assertEqual({}, b)\n')
        self.assertEqual({12}, assertions.allocation_assertion_lines(src))

    def test_a_loop_over_what_placement_said(self):
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        usages = self._get_provider_usages(u)\n'
               '        for name, used in usages.items():\n'
               '            self.assertEqual(0, used, name)\n')
        self.assertEqual({6}, assertions.allocation_assertion_lines(src))

    def test_unparsable_source(self):
        self.assertEqual(set(),
                         assertions.allocation_assertion_lines('def (:'))

    def test_no_resize_helper_means_no_allocation_lines(self):
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(s):\n'
               '        s.assertEqual(1, 1)\n')
        self.assertEqual(set(), assertions.allocation_assertion_lines(src))


class TestFailureSite(testtools.TestCase):

    def test_allocation_failure(self):
        source = _source()
        line = _line_of(source, 'self.assertEqual(no_usage, ')
        text = _traceback('/tmp/tests/functional/test_bug_1825537.py', line,
                          "testtools.matchers._impl.MismatchError: "
                          "{'VCPU': 0} != {'VCPU': 1}")
        site = assertions.failure_site(text, 'test_bug_1825537.py', source)
        self.assertEqual(line, site.line)
        self.assertTrue(site.allocation)
        self.assertIn('no_usage', site.code)
        self.assertIn('MismatchError', site.message)

    def test_non_allocation_failure(self):
        source = _source()
        line = _line_of(source, "self._start_compute('host1')")
        text = _traceback('/a/test_bug_1825537.py', line, 'Boom')
        site = assertions.failure_site(text, 'test_bug_1825537.py', source)
        self.assertFalse(site.allocation)

    def test_frame_of_other_file_only(self):
        text = _traceback('/a/other.py', 3, 'AssertionError')
        self.assertIsNone(assertions.failure_site(
            text, 'test_bug_1825537.py', _source()))

    def test_first_line(self):
        self.assertEqual('b | c', assertions.first_line('\n  \nb\nc'))
        self.assertEqual('1 | 2 | 3 | 4',
                         assertions.first_line('1\n2\n3\n4\n5'))
        self.assertEqual('', assertions.first_line(None))


class TestForgedFrames(testtools.TestCase):

    def test_frames_in_the_message_are_not_read(self):
        # The test fails at line 3 and writes a frame of its own (line
        # 100, a placement assertion) into the failure message.
        text = _traceback(
            '/t/test_bug_1825537.py', 3,
            'AssertionError: forged\n'
            'Traceback (most recent call last):\n'
            '  File "/t/test_bug_1825537.py", line 100, in '
            'test_finish_resize_fails_allocation_cleanup\n'
            '    self.assertEqual(no_usage, source_rp_usages)\n'
            'AssertionError: nova regressed')
        site = assertions.failure_site(text, 'test_bug_1825537.py',
                                       _source())
        self.assertEqual(3, site.line)
        self.assertTrue(site.message.startswith('AssertionError: forged'))

    def test_tracebacks_in_captured_logs_are_not_the_failure(self):
        # testtools puts a test's other details (its captured logs, with
        # nova's logged tracebacks) before the failure's own traceback.
        logged = ('Traceback (most recent call last):\n'
                  '  File "/x/nova/compute/manager.py", line 6608, in f\n'
                  '    raise X\n'
                  'X: logged\n')
        text = ("Empty attachments:\n  stderr\n\npythonlogging:'': {{{\n"
                + logged + '}}}\n\n' +
                _traceback('/t/test_bug_1825537.py', 3, 'AssertionError: x'))
        site = assertions.failure_site(text, 'test_bug_1825537.py',
                                       _source())
        self.assertEqual(3, site.line)
        self.assertEqual('AssertionError: x', site.message)

    def test_a_source_line_that_reads_like_a_frame_is_not_one(self):
        text = ('Traceback (most recent call last):\n'
                '  File "/t/test_bug_1825537.py", line 3, in test\n'
                '      File "/t/test_bug_1825537.py", line 100, in test\n'
                'AssertionError: x\n')
        site = assertions.failure_site(text, 'test_bug_1825537.py',
                                       _source())
        self.assertEqual(3, site.line)


class TestExceptionMessage(testtools.TestCase):

    def test_skips_source_and_caret_lines(self):
        text = ('Traceback (most recent call last):\n'
                '  File "/a/x.py", line 3, in f\n'
                '    return api.get(server["id"])\n'
                '                   ~~~~~~^^^^^^\n'
                "TypeError: 'Client' object is not subscriptable\n")
        self.assertEqual("TypeError: 'Client' object is not subscriptable",
                         assertions.exception_message(text))

    def test_multiline_mismatch(self):
        text = ('Traceback (most recent call last):\n'
                '  File "/a/x.py", line 3, in f\n'
                '    self.assertEqual(a, b)\n'
                'testtools.matchers._impl.MismatchError: !=:\n'
                "reference = {'VCPU': 0}\n"
                "actual    = {'VCPU': 1}\n")
        self.assertEqual(
            "testtools.matchers._impl.MismatchError: !=: | "
            "reference = {'VCPU': 0} | actual    = {'VCPU': 1}",
            assertions.first_line(assertions.exception_message(text)))


class TestPlacementInLambdas(testtools.TestCase):

    def test_an_assertion_retried_in_a_lambda_reads_placement(self):
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        self._wait_for_assert(\n'
               '            lambda: self.assertEqual(\n'
               '                {}, self._get_provider_usages(u)))\n')
        self.assertEqual({5, 6}, assertions.allocation_assertion_lines(src))

    def test_an_assertion_in_a_def_of_the_test_method(self):
        src = ('class T:\n'
               '    def test_finish_resize_fails_allocation_cleanup(self):\n'
               '        self._resize_and_assert_error(None, "host2")\n'
               '        def _empty():\n'
               '            self.assertEqual(\n'
               '                {}, self._get_provider_usages(u))\n'
               '        self._wait_for_assert(_empty)\n')
        self.assertEqual({5, 6}, assertions.allocation_assertion_lines(src))
