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


"""Diffs in reviews: found in text, split by file, read into hunks.

The one place that knows the unified diff format for the meta-check.
Reviews write diffs by hand or by machine: hunk headers without line
numbers (a bare ``@@``) or with wrong counts, no ``---``/``+++`` lines,
context lines that lost their leading space.  There is one diff model,
``unidiff.PatchSet`` (the backport side reads patches with it too):
:func:`read` keeps unidiff's reading of the text as written when it agrees
with a tolerant reading that ignores the counts, and otherwise repairs the
text from the tolerant reading (:func:`repair`: headers and counts that
match the hunks) and gives that to unidiff.  :class:`FilePatch` is only the
tolerant reading's intermediate form.
"""

import dataclasses
import re
import typing

import unidiff

from nova_resize_checks.review.read import texts

HUNK_RE = re.compile(r'@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@')


# A hunk header without line numbers ("@@", "@@ @@", "@@ def test_x"):
# common in hand- and machine-written diffs.
_BARE_HUNK_RE = re.compile(r'@@(?:\s*@@)?(?:\s.*)?$')


def is_hunk_header(lines, i):
    """Whether ``lines[i]`` opens a hunk.

    Numbered, or bare and followed by diff lines.
    """
    line = lines[i]
    if HUNK_RE.match(line):
        return True
    if not _BARE_HUNK_RE.match(line):
        return False
    following = []
    for line in lines[i + 1:]:
        if line.startswith('@@') or len(following) == 3:
            break
        if line.strip():
            following.append(line)
    return bool(following) and all(ln[:1] in ' +-' for ln in following)


def _diff_start(lines, i):
    line = lines[i]
    if line.startswith('diff --git '):
        return True
    if (line.startswith('--- ') and i + 1 < len(lines) and
            lines[i + 1].startswith('+++ ')):
        return True
    return is_hunk_header(lines, i)


_DIFF_LINE_PREFIXES = ('+', '-', ' ', '@@', '\\', 'diff ', 'index ',
                       'new file', 'deleted file', 'similarity ',
                       'rename ', 'old mode', 'new mode')


_SIGNATURE_RE = re.compile(r'^\s*\d+(?:\.\d+)+\S*\s*$')


def find_in_text(lines, used):
    """``[(first, end)]``: diff regions written straight into text.

    ``used[i]`` marks lines already taken by other blocks (fences).
    """
    regions = []
    i = 0
    n = len(lines)
    while i < n:
        if used[i] or not _diff_start(lines, i):
            i += 1
            continue
        j = i
        while j < n and not used[j]:
            line = lines[j]
            if not line:
                nxt = lines[j + 1] if j + 1 < n else ''
                if (j + 1 < n and not used[j + 1] and nxt and
                        nxt.startswith(('+', '-', '@@', 'diff '))):
                    j += 1
                    continue
                break
            if not line.startswith(_DIFF_LINE_PREFIXES) or (
                    line.rstrip() == '--' and j + 1 < n and
                    _SIGNATURE_RE.match(lines[j + 1])):
                # (git format-patch ends a patch with "-- " and the git
                # version: not a removed line.)
                break
            j += 1
        if _has_changes(lines[i:j]):
            regions.append((i, j))
        # A start inside [i, j) would end at j too, with no more changes.
        i = max(j, i + 1)
    return regions


def path_of(raw):
    """The file path of a ``---``/``+++``/``diff --git`` name, or None.

    ``a/`` and ``b/`` prefixes, quotes and a trailing tab and timestamp are
    dropped; ``/dev/null`` (a created or deleted file) is None.
    """
    path = raw.split('\t', 1)[0].strip().strip('"\'')
    if path in ('/dev/null', ''):
        return None
    if path[:2] in ('a/', 'b/'):
        path = path[2:]
    return path


def _has_changes(lines):
    """Whether diff lines add or remove anything (headers aside)."""
    return any((ln.startswith('+') and not ln.startswith('+++ ')) or
               (ln.startswith('-') and not ln.startswith('--- '))
               for ln in lines)


def changes_nothing(section):
    """Whether a diff's removed lines come back, unchanged, as its added.

    ``-    x`` followed by ``+    x`` (a reviewer's "fix" that is the line
    as it was): the diff claims a change that is not there.
    """
    removed, added = [], []
    for line in section.split('\n'):
        if line.startswith('-') and not line.startswith('---'):
            removed.append(line[1:].rstrip())
        elif line.startswith('+') and not line.startswith('+++'):
            added.append(line[1:].rstrip())
    return bool(removed) and removed == added


def looks_like_diff(text):
    """Whether a code block is a diff (headers, hunks or +/- lines)."""
    lines = text.split('\n')
    if any(_diff_start(lines, i) for i in range(len(lines))):
        return True
    return _changed_lines_only(text, [ln for ln in lines if ln.strip()])


def _changed_lines_only(text, body):
    """Whether ``body``, a header-less block's lines, are +/- lines."""
    if not body or not all(ln[0] in '+- ' for ln in body):
        return False
    plus = any(ln[0] == '+' for ln in body)
    minus = any(ln[0] == '-' for ln in body)
    if plus and minus:
        return True
    if not (plus or minus):
        return False
    if all(ln[:1] in '+-' and ln[1:2].isspace() for ln in body):
        # "- self.assertX(" on every line is Python too (a unary minus),
        # but no one writes that: lines removed (or added) from code.
        return True
    return not texts.parses(text)


def split(text):
    """Split a (multi-file) diff into ``(path or None, text)`` parts.

    A part starts at ``diff --git`` or at a ``---``/``+++`` header (unless
    that header belongs to the ``diff --git`` just before it); parts
    without a changed line are dropped.
    """
    lines = text.split('\n')
    sections = []
    state = {'cur': [], 'path': None, 'git': False, 'header': False}

    def flush():
        if state['cur']:
            sections.append((state['path'], '\n'.join(state['cur'])))
        state.update(cur=[], path=None, git=False, header=False)

    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith('diff --git '):
            flush()
            state['git'] = True
            parts = line.split()
            if len(parts) >= 4:
                state['path'] = path_of(parts[3])
        elif (line.startswith('--- ') and i + 1 < n and
              lines[i + 1].startswith('+++ ')):
            if not (state['git'] and not state['header']):
                flush()
            state['header'] = True
            old = path_of(line[4:])
            new = path_of(lines[i + 1][4:])
            state['path'] = new or old
            state['cur'].extend((line, lines[i + 1]))
            i += 2
            continue
        state['cur'].append(line)
        i += 1
    flush()
    return [(p, t) for p, t in sections if _has_changes(t.split('\n'))]


def new_side(diff_text):
    """The text of a diff's new side (context and added lines)."""
    out = []
    for ln in diff_text.split('\n'):
        if ln.startswith(('+++ ', '--- ', '@@', 'diff ', 'index ', '\\')):
            continue
        if ln.startswith('+') or ln.startswith(' '):
            out.append(ln[1:])
        elif not ln:
            out.append('')
    return '\n'.join(out)


@dataclasses.dataclass
class FilePatch:
    """One file of a diff: its path and hunks of (tag, text) lines."""

    path: typing.Optional[str]     # None: no file header
    hunks: typing.List[typing.List[typing.Tuple[str, str]]]
    deleted: bool = False
    created: bool = False


_HEADER_PREFIXES = ('diff ', 'index ', 'Index: ', 'new file mode',
                    'deleted file mode', 'similarity index', 'rename from',
                    'rename to', 'old mode', 'new mode', '=====')


def _read_diff_tolerant(text):
    """Read a unified diff without trusting its hunk headers.

    Returns a list of :class:`FilePatch`.  Hunk bodies run until the next
    hunk or file header; an empty line is blank context, a line without a
    diff prefix is context that lost its leading space, trailing empty lines
    are dropped.  A text with no ``@@`` header at all is read as one hunk.
    """
    lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
    reader = _TolerantReader(any(line.startswith('@@') for line in lines))
    i = 0
    while i < len(lines):
        i = reader.read(lines, i)
    for patch in reader.files:
        for body in patch.hunks:
            while body and body[-1] == ('', ''):
                body.pop()
            body[:] = [(' ', text) if tag == '' else (tag, text)
                       for tag, text in body]
        patch.hunks = [body for body in patch.hunks if body]
    return [patch for patch in reader.files if patch.hunks or patch.path]


class _TolerantReader(object):
    """The files and hunks of :func:`_read_diff_tolerant`, line by line."""

    def __init__(self, has_hunk_header):
        self.has_hunk_header = has_hunk_header
        self.files = []
        self.current = None     # the FilePatch being read
        self.hunk = None        # its hunk being read: [(tag, text)]

    def read(self, lines, i):
        """Take ``lines[i]`` (and the next, for a header); the next index."""
        line = lines[i]
        if (line.startswith('--- ') and i + 1 < len(lines)
                and lines[i + 1].startswith('+++ ')):
            old = path_of(line[4:])
            new = path_of(lines[i + 1][4:])
            self.current = self._new_file(new or old, deleted=new is None,
                                          created=old is None)
            self.hunk = None
            return i + 2
        if line.startswith('@@'):
            self._open_hunk()
        elif self.hunk is None:
            if self._opens_headerless_hunk(line):
                self._open_hunk()
                self._add(line)
        elif line.startswith(('diff ', 'Index: ')):
            self.hunk = None
        else:
            self._add(line)
        return i + 1

    def _new_file(self, path, deleted=False, created=False):
        patch = FilePatch(path=path, hunks=[], deleted=deleted,
                          created=created)
        self.files.append(patch)
        return patch

    def _open_hunk(self):
        if self.current is None:
            self.current = self._new_file(None)
        self.hunk = []
        self.current.hunks.append(self.hunk)

    def _opens_headerless_hunk(self, line):
        """A diff line outside any hunk, in a text without ``@@``."""
        return (not line.startswith(_HEADER_PREFIXES) and
                not self.has_hunk_header and line[:1] in ('+', '-', ' '))

    def _add(self, line):
        tag = line[:1]
        if tag in (' ', '-', '+'):
            self.hunk.append((tag, line[1:]))
        elif tag == '\\':
            pass
        elif line == '':
            self.hunk.append(('', ''))      # blank context, maybe trailing
        else:
            self.hunk.append((' ', line))   # context that lost its space


def _strip_trailing_blank(body):
    body = list(body)
    while body and body[-1][0] == ' ' and not body[-1][1].strip():
        body.pop()
    return body


# The path given to a file without a ``---``/``+++`` header when its hunks
# are handed to unidiff; :func:`path_of_file` gives None for it.
NO_HEADER = '<no-file-header>'


def repair(files):
    """A well-formed unified diff of :class:`FilePatch` files.

    Every file gets ``---``/``+++`` headers (``/dev/null`` for a created or
    deleted file, :data:`NO_HEADER` for none) and every hunk a header whose
    counts match its lines, so that ``unidiff.PatchSet`` reads exactly the
    hunks the tolerant reading found.
    """
    out = []
    for patch in files:
        path = patch.path or NO_HEADER
        out.append('--- %s' % ('/dev/null' if patch.created else 'a/' + path))
        out.append('+++ %s' % ('/dev/null' if patch.deleted else 'b/' + path))
        for body in patch.hunks:
            old = sum(1 for tag, _ in body if tag in ' -')
            new = sum(1 for tag, _ in body if tag in ' +')
            # (Start 1 even when a side is empty: unidiff takes a lone
            # hunk starting at 0 for a created or deleted file.)
            out.append('@@ -1,%d +1,%d @@' % (old, new))
            out.extend(tag + text for tag, text in body)
    return '\n'.join(out) + '\n'


def path_of_file(patched):
    """The path of a ``unidiff.PatchedFile``: no ``a/``/``b/``, or None."""
    path = patched.path
    if path and path[:2] in ('a/', 'b/'):
        path = path[2:]
    return None if path in (None, '', NO_HEADER) else path


def hunk_lines(hunk):
    """``[(tag, text)]`` of a ``unidiff.Hunk``: ' ', '-' or '+' lines."""
    return [(line.line_type, line.value.rstrip('\n').rstrip('\r'))
            for line in hunk if line.line_type in (' ', '-', '+')]


def _files(patch_set):
    return [FilePatch(path=path_of_file(patched),
                      hunks=[hunk_lines(hunk) for hunk in patched],
                      deleted=patched.is_removed_file,
                      created=patched.is_added_file)
            for patched in patch_set]


def read(text):
    """Parse a diff into a ``unidiff.PatchSet``; returns (patch set, note).

    unidiff reads the text as written when that reading agrees with the
    count-free reading (unidiff trusts hunk counts: too small a count
    silently drops the hunk's last lines).  Otherwise the count-free
    reading is repaired into a well-formed diff (:func:`repair`), which
    unidiff reads, and the note says so.
    """
    tolerant = _read_diff_tolerant(text)
    try:
        strict = unidiff.PatchSet(text)
    except Exception as exc:   # UnidiffParseError and malformed headers
        return (unidiff.PatchSet(repair(tolerant)),
                'hunk headers ignored (%s)' % texts.short(exc, 60))
    read_as_written = _files(strict)
    same = (len(read_as_written) == len(tolerant) and all(
        len(a.hunks) == len(b.hunks)
        and all(_strip_trailing_blank(x) == _strip_trailing_blank(y)
                for x, y in zip(a.hunks, b.hunks))
        for a, b in zip(read_as_written, tolerant)))
    if same and read_as_written:
        return strict, ''
    return (unidiff.PatchSet(repair(tolerant)),
            'hunk headers disagree with the hunks; ignored')
