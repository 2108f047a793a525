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
# The commits of those versions: a review that names one ("Reviewed: ...
# at f4bb672106") numbers its lines as that version does.
COMMITS = {
    'recreate': 'f4bb67210602914e1b9a678419cf22cfbeaf1431',
    'fixed': 'ea297d6ffba81c5dc982afe6519de09ff3744cad',
}

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

# Each: the digest of every physical line (whitespace collapsed), line 1
# first, so that "line N" quotations of these versions can be checked.
LINE_DIGESTS = {
    'recreate': (  # f4bb672106
        'c24fe72753050417', '65ab60fa1090792a', 'bfe0ab117231908d',
        '334359b90efed75d', '400b564902129ca8', '334359b90efed75d',
        '46e0bee99f3fffe6', '1d146ae9aee87982', '9e43c266cffa0d2c',
        '67b94443d351b75f', 'ae33f42039a57ecc', 'e3b0c44298fc1c14',
        '5e89de27a0d64f29', 'e3b0c44298fc1c14', 'e3b0c44298fc1c14',
        'eff2abb6e2626869', '03ec5c43c16a12d9', '2de64531ef9b468b',
        'e3b0c44298fc1c14', 'e2d2b25070117af9', '0e7453761ff41296',
        '4fb7efdb9c24fee0', 'b6d267efe80a3dbc', 'e3b0c44298fc1c14',
        '34476cc71d6ff5b1', 'e3b0c44298fc1c14', 'bac2e7d67219da48',
        '298eb5de769a3fa6', '6079db04e55d7b79', 'd4645cf4d87b892b',
        '665d870c167ee881', '335817671ec6ca53', 'e3b0c44298fc1c14',
        'cb72d21fab236fab', '0e6227f9bdd5cdcd', 'ab1002a7789912d0',
        '095a34346eb63370', '25c56ef8acd15cf0', 'cd436d431cf7fa5e',
        '480c0efb08e92aa0', 'a6f8102b40fdf5a6', '112348142004436e',
        '73a01129f49c0292', '54b18d5c4df5405c', 'be2d6458be664432',
        '35247abef8f6c48d', '92972488d99141b3', '77dea5a6ff8703fd',
        '31b0aff5d9311dbd', '50ade01276ebd740', 'abb1d45586b7e381',
        'e3b0c44298fc1c14', '3bed89bc3fbd9dae', '03d87ce5a3f15267',
        'be239b6a927ce4c5', '2023db98f6cfd20c', 'e3b0c44298fc1c14',
        'd9dce9d08a9964f2', '51bd6725573fc709', 'e3b0c44298fc1c14',
        '3997be51d38d74bc', 'ec17fde982db04ba', 'e3b0c44298fc1c14',
        '04103527fd92e611', '4a19ee328065c2f5', '464a0642813b2f04',
        '1911c634597d5922', '740039517928f2e8', '273cb34523b3c376',
        '56e8efc52f99e6fd', '8b4fc44bad23bc5e', '4d4449fddbd2b8f3',
        'ba9d4fa5577aad9f', 'b982238f741ae619', 'abc7bb5b2fef4858',
        '68f7c5ae8efe4ed0', '160e4a50f44cff4e', '91db9e43b182a883',
        'fa4a9e09ddcec4be', '212eceff5fd41de2', '9fc981a955824325',
        'e3b0c44298fc1c14',
    ),
    'fixed': (  # ea297d6ffb
        'c24fe72753050417', '65ab60fa1090792a', 'bfe0ab117231908d',
        '334359b90efed75d', '400b564902129ca8', '334359b90efed75d',
        '46e0bee99f3fffe6', '1d146ae9aee87982', '9e43c266cffa0d2c',
        '67b94443d351b75f', 'ae33f42039a57ecc', 'e3b0c44298fc1c14',
        '5e89de27a0d64f29', 'e3b0c44298fc1c14', 'e3b0c44298fc1c14',
        'eff2abb6e2626869', '03ec5c43c16a12d9', '2de64531ef9b468b',
        'e3b0c44298fc1c14', 'e2d2b25070117af9', '0e7453761ff41296',
        '4fb7efdb9c24fee0', 'b6d267efe80a3dbc', 'e3b0c44298fc1c14',
        '34476cc71d6ff5b1', 'e3b0c44298fc1c14', 'bac2e7d67219da48',
        '298eb5de769a3fa6', '6079db04e55d7b79', 'd4645cf4d87b892b',
        '665d870c167ee881', '335817671ec6ca53', 'e3b0c44298fc1c14',
        'cb72d21fab236fab', '0e6227f9bdd5cdcd', 'ab1002a7789912d0',
        '095a34346eb63370', '25c56ef8acd15cf0', 'cd436d431cf7fa5e',
        '480c0efb08e92aa0', 'a6f8102b40fdf5a6', '112348142004436e',
        '73a01129f49c0292', '54b18d5c4df5405c', 'be2d6458be664432',
        '35247abef8f6c48d', '92972488d99141b3', '77dea5a6ff8703fd',
        '31b0aff5d9311dbd', '50ade01276ebd740', 'abb1d45586b7e381',
        'e3b0c44298fc1c14', '3bed89bc3fbd9dae', '03d87ce5a3f15267',
        'be239b6a927ce4c5', '2023db98f6cfd20c', 'e3b0c44298fc1c14',
        'd9dce9d08a9964f2', '51bd6725573fc709', 'e3b0c44298fc1c14',
        '3997be51d38d74bc', 'ec17fde982db04ba', 'e3b0c44298fc1c14',
        '04103527fd92e611', '4a19ee328065c2f5', '464a0642813b2f04',
        '1911c634597d5922', '740039517928f2e8', '212eceff5fd41de2',
        'f83943047c454e98', '3bb133c89f939789', '44930c1d3270dd27',
        '91db9e43b182a883', 'c2ec547032a648c5', 'e3b0c44298fc1c14',
    ),
}

# Each: as LINE_DIGESTS, after bringing each line to today's helper dialect
# (extract.port_dialect), so that "change line N to X" written against one
# of these versions can be found in the installed test by content.
PORTED_LINE_DIGESTS = {
    'recreate': (  # f4bb672106
        'c24fe72753050417', '65ab60fa1090792a', 'bfe0ab117231908d',
        '334359b90efed75d', '400b564902129ca8', '334359b90efed75d',
        '46e0bee99f3fffe6', '1d146ae9aee87982', '9e43c266cffa0d2c',
        '67b94443d351b75f', 'ae33f42039a57ecc', 'e3b0c44298fc1c14',
        '5e89de27a0d64f29', 'e3b0c44298fc1c14', 'e3b0c44298fc1c14',
        'eff2abb6e2626869', '03ec5c43c16a12d9', '2de64531ef9b468b',
        'e3b0c44298fc1c14', 'e2d2b25070117af9', '0e7453761ff41296',
        '4fb7efdb9c24fee0', 'b6d267efe80a3dbc', 'e3b0c44298fc1c14',
        '34476cc71d6ff5b1', 'e3b0c44298fc1c14', 'bac2e7d67219da48',
        '298eb5de769a3fa6', '6079db04e55d7b79', 'd4645cf4d87b892b',
        '665d870c167ee881', '335817671ec6ca53', 'e3b0c44298fc1c14',
        'cb72d21fab236fab', '0e6227f9bdd5cdcd', 'ab1002a7789912d0',
        '095a34346eb63370', '25c56ef8acd15cf0', 'cd436d431cf7fa5e',
        '480c0efb08e92aa0', 'a6f8102b40fdf5a6', '112348142004436e',
        '0b668ddb648f08c2', '54b18d5c4df5405c', 'be2d6458be664432',
        '35247abef8f6c48d', '92972488d99141b3', '77dea5a6ff8703fd',
        '31b0aff5d9311dbd', '50ade01276ebd740', 'abb1d45586b7e381',
        'e3b0c44298fc1c14', '3bed89bc3fbd9dae', '03d87ce5a3f15267',
        'be239b6a927ce4c5', '2023db98f6cfd20c', 'e3b0c44298fc1c14',
        'd9dce9d08a9964f2', '51bd6725573fc709', 'e3b0c44298fc1c14',
        '3997be51d38d74bc', 'ec17fde982db04ba', 'e3b0c44298fc1c14',
        '04103527fd92e611', '4a19ee328065c2f5', '464a0642813b2f04',
        '1911c634597d5922', '740039517928f2e8', '273cb34523b3c376',
        '56e8efc52f99e6fd', '8b4fc44bad23bc5e', '4d4449fddbd2b8f3',
        'ba9d4fa5577aad9f', 'b982238f741ae619', 'abc7bb5b2fef4858',
        '68f7c5ae8efe4ed0', '160e4a50f44cff4e', '91db9e43b182a883',
        'fa4a9e09ddcec4be', '212eceff5fd41de2', '9fc981a955824325',
        'e3b0c44298fc1c14',
    ),
    'fixed': (  # ea297d6ffb
        'c24fe72753050417', '65ab60fa1090792a', 'bfe0ab117231908d',
        '334359b90efed75d', '400b564902129ca8', '334359b90efed75d',
        '46e0bee99f3fffe6', '1d146ae9aee87982', '9e43c266cffa0d2c',
        '67b94443d351b75f', 'ae33f42039a57ecc', 'e3b0c44298fc1c14',
        '5e89de27a0d64f29', 'e3b0c44298fc1c14', 'e3b0c44298fc1c14',
        'eff2abb6e2626869', '03ec5c43c16a12d9', '2de64531ef9b468b',
        'e3b0c44298fc1c14', 'e2d2b25070117af9', '0e7453761ff41296',
        '4fb7efdb9c24fee0', 'b6d267efe80a3dbc', 'e3b0c44298fc1c14',
        '34476cc71d6ff5b1', 'e3b0c44298fc1c14', 'bac2e7d67219da48',
        '298eb5de769a3fa6', '6079db04e55d7b79', 'd4645cf4d87b892b',
        '665d870c167ee881', '335817671ec6ca53', 'e3b0c44298fc1c14',
        'cb72d21fab236fab', '0e6227f9bdd5cdcd', 'ab1002a7789912d0',
        '095a34346eb63370', '25c56ef8acd15cf0', 'cd436d431cf7fa5e',
        '480c0efb08e92aa0', 'a6f8102b40fdf5a6', '112348142004436e',
        '0b668ddb648f08c2', '54b18d5c4df5405c', 'be2d6458be664432',
        '35247abef8f6c48d', '92972488d99141b3', '77dea5a6ff8703fd',
        '31b0aff5d9311dbd', '50ade01276ebd740', 'abb1d45586b7e381',
        'e3b0c44298fc1c14', '3bed89bc3fbd9dae', '03d87ce5a3f15267',
        'be239b6a927ce4c5', '2023db98f6cfd20c', 'e3b0c44298fc1c14',
        'd9dce9d08a9964f2', '51bd6725573fc709', 'e3b0c44298fc1c14',
        '3997be51d38d74bc', 'ec17fde982db04ba', 'e3b0c44298fc1c14',
        '04103527fd92e611', '4a19ee328065c2f5', '464a0642813b2f04',
        '1911c634597d5922', '740039517928f2e8', '212eceff5fd41de2',
        'f83943047c454e98', '3bb133c89f939789', '44930c1d3270dd27',
        '91db9e43b182a883', 'c2ec547032a648c5', 'e3b0c44298fc1c14',
    ),
}

# Each: the length of every physical line, in characters (a number, not
# code): a review system's comment may replace lines by character ranges,
# and a range that ends where its line ends replaces whole lines.
LINE_LENGTHS = {
    'recreate': (  # f4bb672106
        73, 73, 26, 1, 49, 1, 69, 75, 74, 73, 20, 0,
        52, 0, 0, 49, 54, 76, 0, 75, 76, 17, 7, 0,
        57, 0, 20, 71, 45, 40, 33, 33, 0, 58, 77, 71,
        59, 54, 77, 76, 63, 58, 77, 77, 78, 58, 67, 73,
        56, 58, 49, 0, 58, 59, 36, 36, 0, 35, 72, 0,
        44, 54, 0, 78, 73, 61, 65, 63, 71, 78, 76, 77,
        78, 25, 45, 55, 64, 60, 50, 43, 55, 0,
    ),
    'fixed': (  # ea297d6ffb
        73, 73, 26, 1, 49, 1, 69, 75, 74, 73, 20, 0,
        52, 0, 0, 49, 54, 76, 0, 75, 76, 17, 7, 0,
        57, 0, 20, 71, 45, 40, 33, 33, 0, 58, 77, 71,
        59, 54, 77, 76, 63, 58, 77, 77, 78, 58, 67, 73,
        56, 58, 49, 0, 58, 59, 36, 36, 0, 35, 72, 0,
        44, 54, 0, 78, 73, 61, 65, 63, 43, 53, 65, 68,
        60, 52, 0,
    ),
}
