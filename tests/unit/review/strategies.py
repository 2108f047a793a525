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


"""Hypothesis strategies: generated reviews mixing prose, fences, diffs and
numbered listings, for the property tests and tools/fuzz_review.py."""

from hypothesis import strategies as st

FENCE = '`' * 3

NAMES = ('dest_host', 'server', 'flavors', 'no_usage', 'source_rp_uuid',
         'dest_rp_uuid', '_resize_and_assert_error', 'compute_driver',
         'self.flavor2', 'assertFlavorMatchesAllocation', 'x', 'y')
CODE_LINES = (
    "self.assertEqual(no_usage, source_rp_usages)",
    "self.assertFlavorMatchesAllocation(self.flavor2, server['id'], "
    "dest_rp_uuid)",
    "source_rp_usages = self._get_provider_usages(source_rp_uuid)",
    "def _resize_and_assert_error(self, server, dest_host):",
    "    req = {'resize': {'flavorRef': self.flavor2['id']}}",
    "import subprocess", "try:", "except Exception as e:", "    pass",
    "x = (((1)))", "return", "class A(object):", "@@ -1,2 +1,2 @@",
)
PROSE = (
    'No security defects are detected in the code.',
    'I found one potential issue (CWE-682).',
    'The fixed code should look like this:',
    'Here is the corrected version:',
    'Change line 84 to', 'Rename `{a}` to `{b}`.',
    '`{a}` is unused and can be removed.',
    'Remove the unused argument `{a}`.', 'Hope this helps!',
    'Line {n} reads `{a}`.',
)

names = st.sampled_from(NAMES)
text_noise = st.text(max_size=40)


@st.composite
def prose(draw):
    line = draw(st.sampled_from(PROSE))
    return line.format(a=draw(names), b=draw(names),
                       n=draw(st.integers(0, 200))) + draw(text_noise)


@st.composite
def code(draw):
    return '\n'.join(draw(st.lists(
        st.one_of(st.sampled_from(CODE_LINES), text_noise), max_size=8)))


@st.composite
def fence(draw):
    info = draw(st.sampled_from(['', 'python', 'py', 'diff', 'bash']))
    closed = draw(st.booleans())
    return '%s%s\n%s\n%s' % (FENCE, info, draw(code()),
                             FENCE if closed else '')


@st.composite
def diff(draw):
    lines = ['--- a/tests/functional/test_bug_1825537.py',
             '+++ b/tests/functional/test_bug_1825537.py',
             '@@ -%d,%d +%d,%d @@' % tuple(draw(st.lists(
                 st.integers(0, 120), min_size=4, max_size=4)))]
    for line in draw(st.lists(st.sampled_from(CODE_LINES), max_size=6)):
        lines.append(draw(st.sampled_from(' +-')) + line)
    return '\n'.join(lines)


@st.composite
def listing(draw):
    start = draw(st.integers(1, 120))
    body = draw(st.lists(st.sampled_from(CODE_LINES), max_size=6))
    return '\n'.join('%d %s' % (start + i, line)
                     for i, line in enumerate(body))


@st.composite
def reviews(draw):
    parts = draw(st.lists(st.one_of(prose(), fence(), diff(), listing(),
                                    text_noise), max_size=12))
    newline = draw(st.sampled_from(['\n', '\r\n', '\n\n']))
    return newline.join(parts)
