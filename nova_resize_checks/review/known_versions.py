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


"""Fingerprints of upstream versions of the test that are not installed.

Reviews quote upstream's 2019 recreate version of
``nova/tests/functional/regressions/test_bug_1825537.py`` (the one with the
``FIXME(mriedem)`` block, asserting the buggy outcome) and the version of
the fix commit; neither ships with today's nova.  A code block is a
quotation when its comparable lines (see ``extract.comparable_lines``) are
a contiguous run of one of these versions' lines.  Only a short digest of
each line is kept here, never the code; ``tools/fingerprint_versions.py``
computes them from a nova git directory.
"""

# Each: one digest per comparable line, in order.
FINGERPRINTS = {
    'recreate': (  # f4bb672106
        '9b56aa99ae30a4c5', '6d612b848ce08411', 'b0a7d1b8caf89df5',
        'a9182c8359553bbb',
        'fc08d7e74bf9aaaa', '64cb2aef4da60c3b', 'ce467849e75922f3',
        'bb19fd807950d5e2',
        '5c8cad06ec487d8d', 'fce6daa73896c7c2', 'a8031f792f68e4fa',
        'e1e5faec0a5b2640',
        '8c6c5fa933523b30', '247c6d72a93a0c1d', '7f2e8ba6381373dd',
        '9e73de6c2dbe28ee',
        '3e0ed3e740888377', 'be239b6a927ce4c5', '2023db98f6cfd20c',
        'c51b97054304a2b6',
        '416e88af037b67a8', '763d8bd7e68aebe6', 'c37b787d73073427',
        'd46245e2256aa6b5',
        '037ae73aae0385f1', '4f6223e2aad56668', 'f9485893a67cc7b4',
    ),
    'fixed': (  # ea297d6ffb
        '9b56aa99ae30a4c5', '6d612b848ce08411', 'b0a7d1b8caf89df5',
        'a9182c8359553bbb',
        'fc08d7e74bf9aaaa', '64cb2aef4da60c3b', 'ce467849e75922f3',
        'bb19fd807950d5e2',
        '5c8cad06ec487d8d', 'fce6daa73896c7c2', 'a8031f792f68e4fa',
        'e1e5faec0a5b2640',
        '8c6c5fa933523b30', '247c6d72a93a0c1d', '7f2e8ba6381373dd',
        '9e73de6c2dbe28ee',
        '3e0ed3e740888377', 'be239b6a927ce4c5', '2023db98f6cfd20c',
        'c51b97054304a2b6',
        '416e88af037b67a8', '763d8bd7e68aebe6', 'c37b787d73073427',
        '5248c5e2985e5dfc',
        'b7405156928e9189', '037ae73aae0385f1', '67f996f7053fe205',
    ),
}
