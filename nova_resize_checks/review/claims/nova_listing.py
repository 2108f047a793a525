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


"""Nova's own code, quoted with a change: a patch of nova, not a snippet.

A review may show ``finish_resize``'s except block as it should be,
without a diff.  When most lines of a Python block are, whitespace aside,
a run of lines of a nova file this tool reads (and some are not), the
block is that run rewritten: the change is the unified diff from the
file's run to the block, re-indented to the file, and it is judged as a
nova patch is.  A block that is all nova lines is a quotation, read
elsewhere; a block with too few nova lines is left to the snippet
readings.
"""

import difflib
import textwrap

from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts

# Of the block's code lines, at least this share, and this many, must be
# lines of one stretch of the nova file (no longer than twice the block):
# a listing of nova code, not a test snippet that happens to share a line
# or two with nova.
MIN_SHARE = 0.4
MIN_LINES = 3


def _norm(line):
    return ' '.join(line.split())


def _code_lines(lines):
    return [k for k, line in enumerate(lines)
            if line.strip() and not line.strip().startswith('#')]


def nova_change(block, nova_sources):
    """The NOVA_DIFF change ``block`` makes to a nova file, or None."""
    text = textwrap.dedent(block.text).strip('\n')
    lines = text.split('\n')
    if any(texts.is_elision(line) for line in lines):
        # Parts left out ("...", "# rest unchanged"): a quotation, and
        # what it leaves out is not deleted.
        return None
    code = _code_lines(lines)
    if len(code) < MIN_LINES:
        return None
    for path, source in sorted((nova_sources or {}).items()):
        if not isinstance(source, str):
            continue
        change = _against(path, source, lines, code, block.span)
        if change is not None:
            return change
    return None


def _against(path, source, lines, code, span):
    file_lines = source.split('\n')
    matcher = difflib.SequenceMatcher(
        None, [_norm(x) for x in lines], [_norm(x) for x in file_lines],
        autojunk=False)
    runs = _one_stretch([m for m in matcher.get_matching_blocks() if m.size],
                        len(lines))
    matched = sum(1 for k in code if any(
        m.a <= k < m.a + m.size for m in runs))
    if matched < MIN_LINES or matched < MIN_SHARE * len(code) or \
            matched == len(code):
        # Too little of nova to be a listing of it; or all of it nova's,
        # a quotation (lines it skips are left out, not deleted).
        return None
    first, last = runs[0], runs[-1]
    start = first.b - first.a
    end = last.b + last.size + (len(lines) - last.a - last.size)
    if start < 0 or end > len(file_lines) or start >= end:
        return None
    indent = _indent(file_lines[first.b]) - _indent(lines[first.a])
    if indent < 0:
        return None
    new = [(' ' * indent + line) if line.strip() else ''
           for line in lines]
    patched = file_lines[:start] + new + file_lines[end:]
    diff = '\n'.join(difflib.unified_diff(
        file_lines, patched, 'a/' + path, 'b/' + path, lineterm='', n=3))
    if not diff:
        return None
    return model.change(
        kind=model.NOVA_DIFF, span=span, target=path, code=diff + '\n',
        summary='%s lines %d-%d, quoted with a change (as a patch of '
        'nova)' % (path, start + 1, end))


def _one_stretch(runs, size):
    """The runs within twice ``size`` file lines of the longest one."""
    if not runs:
        return []
    anchor = max(runs, key=lambda m: m.size)
    return [m for m in runs if abs(m.b - anchor.b) <= 2 * size]


def _indent(line):
    return len(line) - len(line.lstrip(' '))
