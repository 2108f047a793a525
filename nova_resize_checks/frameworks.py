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


"""The names a test case inherits from the test frameworks outside nova.

A test class in nova derives from nova's own base classes and, through
them, from unittest's, testtools', fixtures' and oslotest's.  Two
consumers need the names those frameworks define on a test case: the
claims stage (a name a review uses is known when the test's class has
it) and the matrix's still-caught rule (a helper may not be renamed onto
a framework hook such as testtools' ``_report_failure``).
"""

import functools
import unittest


@functools.lru_cache(maxsize=None)
def testcase_names():
    """Attribute names of the test case classes outside nova.

    unittest's, testtools', fixtures' and oslotest's.  oslotest comes
    with nova's test requirements; without it the rest still counts.
    """
    import fixtures
    import testtools

    classes = [unittest.TestCase, testtools.TestCase,
               fixtures.TestWithFixtures]
    try:
        from oslotest import base as oslotest_base
    except ImportError:
        pass
    else:
        classes.append(oslotest_base.BaseTestCase)
    return frozenset(name for cls in classes for name in dir(cls))
