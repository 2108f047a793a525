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


"""Where each hunk of an applied patch landed, and where it was meant to.

``git apply`` with reduced context (``-C1``) or without its end-of-file
anchor can put a hunk into another method with no warning.  After the
patch applied, every hunk is replayed on its own, in order, on a scratch
copy of its file with the same options and ``--verbose``: git then says
for that hunk alone whether it moved (``Hunk #1 succeeded at N``) and
whether it cut the context (``Context reduced to (L/T) ...``).  The
replayed file must equal the one the whole patch produced.

The function (or class, or module level) around the changed lines is read
with :mod:`ast` on the file before the hunk (the old side, so the intended
and the actual place are read the same way).  What the hunk was meant for
comes from, strongest first:

1. the file the patch was made from, when its ``index`` blob is in the
   target's git repository (the hunk's own line numbers in that file);
2. a ``def`` named in the hunk header;
3. a ``def`` in the hunk's context: before the change (the change is in
   it) or right after it (the change is in the method before that one);
4. the hunk's line numbers in the target tree: weak evidence (the tree may
   have moved on), reported but never enough to reject a hunk on its own.

A hunk is misplaced when git had to cut its context or drop its anchor
(plain ``git apply`` accepts neither) or when it landed outside the
function that 1-3 name.  An offset inside the intended function is fine.
"""

import ast
import os
import re
import subprocess
import tempfile

_HUNK_MOVED = re.compile(r'^Hunk #\d+ succeeded at (\d+)')
_REDUCED = re.compile(
    r'^Context reduced to \((\d+)/(\d+)\) to apply fragment at (\d+)')
_DEF = re.compile(r'^(\s*)(?:async\s+)?def\s+(\w+)\s*\(')
_INDEX = re.compile(r'^index ([0-9a-f]{7,64})\.\.([0-9a-f]{7,64})')
_GIT_ENV = {'LC_ALL': 'C', 'LANGUAGE': 'C', 'GIT_CONFIG_NOSYSTEM': '1'}
MODULE = '(module level)'

# Where the intended function came from; the last one is weak evidence.
FROM_PRE_IMAGE = 'the file the patch was made from, blob %s'
FROM_HEADER = 'the hunk header'
FROM_CONTEXT = 'the hunk context'
FROM_LINES = 'its line numbers in the target tree'


class LocateError(Exception):
    """The hunks cannot be located; the message says why."""


class Scopes(object):
    """The innermost def or class around each line of a Python source."""

    def __init__(self, text):
        self.spans = []
        self.parsed = True
        self._siblings = {}
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            self.parsed = False
            return
        self._walk(tree, '')

    def _walk(self, node, prefix):
        previous = None
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                      ast.ClassDef)):
                continue
            name = prefix + child.name
            start = min([child.lineno] + [d.lineno for d in
                                          child.decorator_list])
            self.spans.append((start, child.end_lineno, name))
            if previous is not None and not isinstance(child, ast.ClassDef):
                self._siblings.setdefault(child.name, []).append(previous)
            previous = (name if not isinstance(child, ast.ClassDef)
                        else None)
            self._walk(child, name + '.')

    def at(self, line):
        """Qualified name of the innermost def/class holding ``line``."""
        best = None
        for start, end, name in self.spans:
            if start <= line <= end and (best is None or start >= best[0]):
                best = (start, name)
        return best[1] if best else MODULE

    def before(self, name):
        """The method defined right before every ``name``; None if unsure."""
        found = set(self._siblings.get(name, ()))
        return found.pop() if len(found) == 1 else None


def _lines(hunk):
    """(type, text) of a hunk's lines, without "no newline" markers."""
    return [(line.line_type, line.value) for line in hunk
            if line.line_type in (' ', '-', '+')]


def _context_counts(lines):
    leading = 0
    for kind, _text in lines:
        if kind != ' ':
            break
        leading += 1
    trailing = 0
    for kind, _text in reversed(lines):
        if kind != ' ':
            break
        trailing += 1
    return leading, trailing


def _anchors(lines, start):
    """Old-side lines of the changes when ``lines`` start at ``start``.

    A removed line is its own anchor; an added one is anchored on the old
    line before it (the insertion point).  Also returns the new-side line
    of the first change.
    """
    anchors = []
    old = new = start
    first_new = None
    for kind, _text in lines:
        if kind == ' ':
            old += 1
            new += 1
            continue
        if first_new is None:
            first_new = new
        if kind == '-':
            anchors.append(old)
            old += 1
        else:
            anchors.append(max(old - 1, 1))
            new += 1
    return anchors, first_new


def _old_side(lines):
    return [text for kind, text in lines if kind in (' ', '-')]


def _matches(image_lines, start, expected):
    """The old side of a hunk is at ``start`` (1-based) in the image."""
    chunk = image_lines[start - 1:start - 1 + len(expected)]
    return [line.rstrip('\r\n') for line in chunk] == [
        line.rstrip('\r\n') for line in expected]


def _scope_set(scopes, anchors):
    found = []
    for line in anchors:
        name = scopes.at(line)
        if name not in found:
            found.append(name)
    return found


def _git(args, cwd=None):
    env = dict(os.environ)
    env.update(_GIT_ENV)
    return subprocess.run(['git'] + args, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False)


def pre_image(git_dirs, patched_file):
    """(abbreviated blob, text) of the file the patch was made from."""
    for line in str(patched_file.patch_info).splitlines():
        match = _INDEX.match(line)
        if match:
            break
    else:
        return None, None
    blob = match.group(1)
    if not blob.strip('0'):
        return None, None
    for git_dir in git_dirs:
        found = _git(['--git-dir=%s' % git_dir, 'rev-parse', '--verify',
                      '--quiet', '%s^{blob}' % blob])
        if found.returncode:
            continue
        text = _git(['--git-dir=%s' % git_dir, 'cat-file', 'blob',
                     found.stdout.decode().strip()])
        if text.returncode == 0:
            return blob, text.stdout.decode('utf-8', 'replace')
    return None, None


def _defs(lines):
    """(indent, name) of the def lines among ``lines`` (texts)."""
    found = []
    for text in lines:
        match = _DEF.match(text)
        if match:
            found.append((len(match.group(1).expandtabs()), match.group(2)))
    return found


def _indent(text):
    return len(text) - len(text.lstrip()) if text.strip() else None


def _from_context(lines, before_scopes):
    """Name of the function the hunk's own context puts the change in."""
    leading, trailing = _context_counts(lines)
    changed = [_indent(text) for kind, text in lines if kind != ' ']
    changed = [width for width in changed if width is not None]
    if not changed:
        return None
    depth = min(changed)
    inside = [name for width, name in
              _defs([text for _kind, text in lines[:leading]])
              if width < depth]
    if inside:
        return inside[-1]
    tail = lines[len(lines) - trailing:] if trailing else []
    after = _defs([text for _kind, text in tail])
    if after and after[0][0] < depth and before_scopes.parsed:
        return before_scopes.before(after[0][1])
    return None


def _intended(hunk, lines, pre, before_text, before_scopes):
    """(names, source, strong) the hunk was meant for; names a list."""
    if pre is not None:
        blob, text = pre
        if _matches(text.splitlines(True), max(hunk.source_start, 1),
                    _old_side(lines)):
            scopes = Scopes(text)
            if scopes.parsed:
                anchors, _first = _anchors(lines, max(hunk.source_start, 1))
                return (_scope_set(scopes, anchors), FROM_PRE_IMAGE % blob,
                        True)
    match = _DEF.match(hunk.section_header or '')
    if match:
        return [match.group(2)], FROM_HEADER, True
    name = _from_context(lines, before_scopes)
    if name:
        return [name], FROM_CONTEXT, True
    if before_scopes.parsed:
        total = len(before_text.splitlines())
        anchors, _first = _anchors(lines, max(hunk.source_start, 1))
        anchors = [line for line in anchors if line <= total]
        if anchors:
            return _scope_set(before_scopes, anchors), FROM_LINES, False
    return None, None, False


def _same(intended, landed):
    """The landed scopes are the intended ones (names may be bare)."""
    if all('.' in name or name == MODULE for name in intended):
        return sorted(intended) == sorted(landed)
    return any(name.rsplit('.', 1)[-1] in intended for name in landed)


def _strip(name, strip):
    parts = name.split('/')
    return '/'.join(parts[strip:])


def _git_placement(stderr, hunk, leading, trailing):
    """(context used, line) that git reports for a hunk applied alone."""
    used = (leading, trailing)
    where = None
    for message in stderr.splitlines():
        moved = _HUNK_MOVED.match(message)
        reduced = _REDUCED.match(message)
        if reduced:
            used = (int(reduced.group(1)), int(reduced.group(2)))
            where = int(reduced.group(3))
        elif moved and where is None:
            where = int(moved.group(1))
    if where is None:
        where = max(hunk.target_start, 1)
    return used, where


def _anchor_problems(hunk, where, old_end, total, leading, trailing):
    """A hunk anchored at the start or end of its file that is not there."""
    problems = []
    if not trailing and old_end != total:
        problems.append(
            'the patch puts it at the end of the file (no context '
            'after it) but it applied at line %d of %d'
            % (old_end, total))
    if not leading and hunk.source_start <= 1 and where != 1:
        problems.append(
            'the patch puts it at the start of the file but it applied '
            'at line %d' % where)
    return problems


def _judge_scope(record, hunk, lines, image, anchors, pre, before_text,
                 before_scopes):
    """Where a Python hunk landed and was meant for, into ``record``."""
    scopes = Scopes(image)
    if not scopes.parsed:
        record['note'] = 'the file does not parse as Python'
        return
    record['landed'] = ', '.join(_scope_set(scopes, anchors))
    intended, source, strong = _intended(hunk, lines, pre,
                                         before_text, before_scopes)
    if not intended:
        return
    record['intended'] = ', '.join(intended)
    record['intended_from'] = source
    if _same(intended, _scope_set(scopes, anchors)):
        return
    if strong:
        record['problems'].append('it is not in %s' % record['intended'])
    else:
        record['note'] = (
            'its line numbers point into %s in this tree, '
            'but its full context matched in %s' % (
                record['intended'], record['landed']))


def _locate_one(hunk, number, path, image, stderr, pre, before_text,
                before_scopes, python):
    lines = _lines(hunk)
    leading, trailing = _context_counts(lines)
    used, where = _git_placement(stderr, hunk, leading, trailing)
    kept = lines[leading - used[0]:len(lines) - (trailing - used[1])]
    image_lines = image.splitlines(True)
    if not _matches(image_lines, where, _old_side(kept)):
        raise LocateError('hunk #%d of %s: git reports it at line %d but '
                          'its lines are not there' % (number, path, where))
    anchors, first = _anchors(kept, where)
    _anchors_full, expected = _anchors(lines, max(hunk.target_start, 1))
    record = {'file': path, 'hunk': number,
              'header': '@@ -%d,%d +%d,%d @@' % (
                  hunk.source_start, hunk.source_length, hunk.target_start,
                  hunk.target_length),
              'line': first, 'offset': (first - expected
                                        if first and expected else 0),
              'context': list(used), 'patch_context': [leading, trailing],
              'intended': None, 'intended_from': None, 'landed': None,
              'placed': True, 'problems': []}
    if used != (leading, trailing):
        record['problems'].append(
            'applies only with its context cut to %d/%d lines (the patch '
            'has %d/%d and plain git apply needs them all)'
            % (used + (leading, trailing)))
    else:
        old_end = where + len(_old_side(kept)) - 1
        record['problems'].extend(_anchor_problems(
            hunk, where, old_end, len(image_lines), leading, trailing))
    if python:
        _judge_scope(record, hunk, lines, image, anchors, pre, before_text,
                     before_scopes)
    record['placed'] = not record['problems']
    return record


def _locate_file(before_tree, after_tree, patched_file, options, git_dirs,
                 scratch):
    strip = 0 if '-p0' in options else 1
    if (patched_file.is_added_file or patched_file.is_removed_file or
            patched_file.is_binary_file or not len(patched_file)):
        return []
    source = _strip(patched_file.source_file, strip)
    target = _strip(patched_file.target_file, strip)
    if source != target:
        return []
    try:
        with open(os.path.join(before_tree, source), encoding='utf-8',
                  errors='surrogateescape', newline='') as handle:
            image = before_text = handle.read()
        with open(os.path.join(after_tree, target), encoding='utf-8',
                  errors='surrogateescape', newline='') as handle:
            final = handle.read()
    except OSError as exc:
        raise LocateError('%s: cannot read: %s' % (source, exc.strerror))
    python = source.endswith('.py')
    before_scopes = Scopes(before_text) if python else None
    pre = pre_image(git_dirs, patched_file) if python else (None, None)
    pre = pre if pre[0] else None
    copy = os.path.join(scratch, 'tree', source)
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    single = os.path.join(scratch, 'hunk.patch')
    records = []
    for number, hunk in enumerate(patched_file, 1):
        with open(copy, 'w', encoding='utf-8', errors='surrogateescape',
                  newline='') as handle:
            handle.write(image)
        with open(single, 'w', encoding='utf-8', errors='surrogateescape',
                  newline='') as handle:
            handle.write('--- %s\n+++ %s\n%s' % (
                patched_file.source_file, patched_file.target_file,
                str(hunk)))
        proc = _git(['apply', '--verbose', '--whitespace=nowarn'] +
                    list(options) + [single],
                    cwd=os.path.join(scratch, 'tree'))
        stderr = proc.stderr.decode('utf-8', 'replace')
        if proc.returncode:
            raise LocateError('hunk #%d of %s does not apply on its own: %s'
                              % (number, source, git_errors(stderr)))
        records.append(_locate_one(hunk, number, source, image, stderr, pre,
                                   before_text, before_scopes, python))
        with open(copy, encoding='utf-8', errors='surrogateescape',
                  newline='') as handle:
            image = handle.read()
    if image != final:
        raise LocateError('%s: applying its hunks one by one does not give '
                          'what the whole patch gave' % source)
    return records


def locate(before_tree, after_tree, patch_text, options, git_dirs=()):
    """One record per hunk of ``patch_text`` applied with ``options``.

    ``before_tree`` and ``after_tree`` are the target before and after
    the whole patch; ``git_dirs`` are repositories that may hold the
    patch's pre-image blobs.  Raises LocateError when a hunk cannot be
    found again.
    """
    import unidiff

    patch_set = unidiff.PatchSet(patch_text)
    records = []
    with tempfile.TemporaryDirectory(prefix='nrc-hunks-') as scratch:
        os.makedirs(os.path.join(scratch, 'tree'))
        for patched_file in patch_set:
            records.extend(_locate_file(before_tree, after_tree,
                                        patched_file, options, git_dirs,
                                        scratch))
    return records


def git_errors(stderr):
    """git apply's error lines as one readable line (no quoted context)."""
    found = []
    searching = False
    for line in stderr.splitlines():
        if line.startswith('error: while searching for:'):
            searching = True
            continue
        if line.startswith('error: ') or line.startswith('fatal: '):
            searching = False
            message = line.split(': ', 1)[1].strip()
            if message and message not in found:
                found.append(message)
        elif not searching and line.strip() and not line.startswith(
                ('Checking patch', 'Hunk #', 'Context reduced', 'warning:',
                 'Applied patch', 'Skipped patch')):
            found.append(line.strip())
    return '; '.join(found) or 'git apply failed'


def missing_lines(tree, patch_text, strip=1):
    """Lines the patch expects in ``tree`` that are not there.

    For each file of ``patch_text`` that exists in the tree: the non-blank
    old-side lines (context and removed) of its hunks that appear nowhere
    in the file (compared stripped), longest first.  The longest is the
    most telling one to look for in the history.
    """
    import unidiff

    found = []
    for patched_file in unidiff.PatchSet(patch_text):
        path = _strip(patched_file.source_file, strip)
        try:
            with open(os.path.join(tree, path), encoding='utf-8',
                      errors='replace') as handle:
                present = {line.strip() for line in handle}
        except OSError:
            continue
        for hunk in patched_file:
            for text in _old_side(_lines(hunk)):
                text = text.strip()
                if text and text not in present and text not in found:
                    found.append(text)
    return sorted(found, key=len, reverse=True)
