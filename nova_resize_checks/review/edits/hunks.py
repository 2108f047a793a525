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


"""TEST_DIFF and NOVA_DIFF.

Unified diff hunks applied by content, strict first.
"""

import difflib
import posixpath
import re

from nova_resize_checks.review.edits import common
from nova_resize_checks.review import model
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import texts


def _is_test_path(path):
    return path == 'test' or posixpath.basename(path) == common.TEST_BASENAME


def nova_relpath(path):
    """'a/nova/compute/manager.py' -> 'nova/compute/manager.py' (or None)."""
    parts = [part for part in path.replace('\\', '/').split('/')
             if part not in ('', '.')]
    if '..' in parts or 'nova' not in parts:
        return None
    rel = parts[parts.index('nova'):]
    if len(rel) < 2 or not rel[-1].endswith('.py'):
        return None
    return '/'.join(rel)


def apply_patch(state, change, nova_reader):
    patch_set, note = diffs.read(change.code or '')
    if not any(len(patched) for patched in patch_set):
        raise common.Refused('no hunks found in the diff')
    test = state.test
    overlay = dict(state.overlay)
    done = []
    for patch in patch_set:
        hunks = [diffs.hunk_lines(hunk) for hunk in patch]
        if not hunks:
            continue
        path = diffs.path_of_file(patch)
        if path is None:
            path = 'test' if change.kind == model.TEST_DIFF else (
                change.target or 'test')
        if patch.is_removed_file:
            raise common.Refused('the diff deletes %s' % path)
        if _is_test_path(path):
            test, how = _apply_hunks(test, hunks, 'the test')
            done.append('the test (%s)' % how)
            continue
        rel = nova_relpath(path)
        if rel is None:
            raise common.Refused('the diff patches %r, which is neither the '
                                 'test nor a nova source file' % path)
        if patch.is_added_file:
            raise common.Refused('the diff creates %s; only existing nova '
                                 'files can be overlaid' % rel)
        if rel not in overlay:
            overlay[rel] = read_nova(nova_reader, rel)
        overlay[rel], how = _apply_hunks(overlay[rel], hunks, rel)
        done.append('%s (%s)' % (rel, how))
    reason = 'patched ' + '; '.join(done)
    if note:
        reason += '; ' + note
    return test, overlay, reason


def read_nova(nova_reader, rel):
    """The installed source of nova file ``rel``, or common.Refused."""
    try:
        original = nova_reader(rel)
    except Exception as exc:
        raise common.Refused('cannot read %s: %s' %
                             (rel, texts.short(exc, 80)))
    if not isinstance(original, str):
        raise common.Refused('cannot read %s: reader returned %s'
                             % (rel, type(original).__name__))
    return original


def _is_code_line(line):
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith('#')


# (name, significant(line), key(line)); see the module docstring.
_LADDER = (
    ('exact', lambda line: True, lambda line: line),
    ('trailing whitespace ignored', lambda line: True,
     lambda line: line.rstrip()),
    ('indentation ignored', lambda line: True, common.ws_key),
    ('comments and blank lines ignored', _is_code_line, common.ws_key),
)


def _apply_hunks(text, hunks, what):
    ends_with_newline = text.endswith('\n')
    lines = text.split('\n')
    if ends_with_newline:
        lines.pop()
    hows = []
    floor = 0
    for number, body in enumerate(hunks, 1):
        try:
            lines, floor, how = _apply_hunk(lines, body, floor)
        except common.Refused as exc:
            raise common.Refused('hunk %d of %d for %s: %s'
                                 % (number, len(hunks), what, exc))
        hows.append(how)
    result = '\n'.join(lines) + ('\n' if ends_with_newline else '')
    counts = {}
    for how in hows:
        counts[how] = counts.get(how, 0) + 1
    summary = ', '.join('%d hunk(s) %s' % (n, how)
                        for how, n in counts.items())
    return result, summary


def _indent_width(line):
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _apply_hunk(lines, body, floor):
    old = [(index, text) for index, (tag, text) in enumerate(body)
           if tag in (' ', '-')]
    if not any(tag in ('-', '+') for tag, _text in body):
        return lines, floor, 'context only, nothing to do'
    for name, significant, key in _LADDER:
        wanted = [(index, key(text)) for index, text in old
                  if significant(text)]
        if not wanted:
            if name == _LADDER[-1][0]:
                raise common.Refused('has no context or removed lines to '
                                     'anchor it')
            continue
        positions = [i for i, line in enumerate(lines) if significant(line)]
        keys = [key(lines[i]) for i in positions]
        wanted_keys = [k for _i, k in wanted]
        size = len(wanted_keys)
        found = [m for m in range(len(keys) - size + 1)
                 if keys[m:m + size] == wanted_keys]
        if not found:
            continue
        if len(found) > 1:
            later = [m for m in found if positions[m] >= floor]
            if floor and len(later) == 1:
                found = later
            else:
                raise common.Refused(
                    'context is ambiguous (%s): it matches at lines %s'
                    % (name, ', '.join(str(positions[m] + 1)
                                       for m in found[:5])))
        start = found[0]
        mapping = {index: positions[start + k]
                   for k, (index, _key) in enumerate(wanted)}
        return _splice(lines, body, mapping, name)
    # The context is from another version of the test (upstream's 2019
    # recreate version, upstream's current copy with comments ours does
    # not have, ...): only what the hunk changes must be found.
    if _already_applied(lines, body):
        return lines, floor, 'already applied (its removed lines are ' \
            'absent, its added lines present)'
    mapping = _align_changed(lines, body)
    if mapping is not None:
        return _splice(lines, body, mapping, 'applied by its changed '
                       'lines (the context differs)')
    mapping = _align_insertion(lines, body)
    if mapping is not None:
        return _splice(lines, body, mapping, 'added next to the context '
                       'line it follows (the rest of the context differs)')
    ported = _port_hunk(lines, body)
    if ported is not None:
        for align in (_align_changed, _align_insertion):
            mapping = align(lines, ported)
            if mapping is not None:
                return _splice(lines, ported, mapping, 'ported: only what '
                               'it changes that is not already so was '
                               'applied (written against another version)')
    raise common.Refused('context not found in the file, and its removed '
                         'lines do not locate uniquely')


def _code_keys(body, tags):
    return [common.ws_key(text) for tag, text in body
            if tag in tags and _is_code_line(text)]


def _already_applied(lines, body):
    """Removed code lines all absent and added ones present, in order."""
    added = _code_keys(body, '+')
    removed = [k for k in _code_keys(body, '-') if k not in set(added)]
    if not added or not removed:
        return False
    keys = [common.ws_key(line) for line in lines if _is_code_line(line)]
    present = set(keys)
    if any(k in present for k in removed):
        return False
    position = 0
    for key in added:
        try:
            position = keys.index(key, position) + 1
        except ValueError:
            return False
    return True


def _align_changed(lines, body):
    """Map the hunk's code lines onto the file by the best alignment.

    Every removed code line must be aligned, either inside a run of two or
    more aligned lines or on a line that occurs once in the file; else
    None (the hunk is refused rather than guessed).
    """
    positions = [i for i, line in enumerate(lines) if _is_code_line(line)]
    file_keys = [common.ws_key(lines[i]) for i in positions]
    old = [(index, common.ws_key(text))
           for index, (tag, text) in enumerate(body)
           if tag in (' ', '-') and _is_code_line(text)]
    removed = {index for index, (tag, text) in enumerate(body)
               if tag == '-' and _is_code_line(text)}
    if not removed:
        return None
    matcher = difflib.SequenceMatcher(None, [k for _i, k in old], file_keys,
                                      autojunk=False)
    mapping = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            index = old[a + k][0]
            if index in removed and size < 2 and \
                    file_keys.count(old[a + k][1]) != 1:
                return None
            mapping[index] = positions[b + k]
    if not removed <= set(mapping):
        return None
    return mapping


_ASSIGNED_NAME = re.compile(r'\s*([A-Za-z_]\w*)\s*=[^=]')


def _port_hunk(lines, body):
    """A hunk written against another version, reduced to its changes here.

    None when nothing is left or nothing was reduced.  Removed lines the
    file does not have are already gone; added lines the file has are
    already there (they become context); a removed assignment
    whose name the file still uses elsewhere stays (the review removed it
    with uses in its own version that this file does not have); removed
    comments go with the lines they describe.
    """
    keys = [common.ws_key(line) for line in lines if _is_code_line(line)]
    present = set(keys)
    removed = {common.ws_key(text) for tag, text in body
               if tag == '-' and _is_code_line(text)}
    ported = []
    changed = False
    for tag, text in body:
        code = _is_code_line(text)
        key = common.ws_key(text)
        if tag == '-' and (not code or key not in present):
            changed = True
            continue
        if tag == '-':
            m = _ASSIGNED_NAME.match(text)
            if m and any(re.search(r'\b%s\b' % re.escape(m.group(1)), k)
                         for k in keys if k != key and k not in removed):
                ported.append((' ', text))
                changed = True
                continue
        if tag == '+' and code and key in present:
            ported.append((' ', text))
            changed = True
            continue
        ported.append((tag, text))
    if not changed or not any(tag in '+-' and _is_code_line(text)
                              for tag, text in ported if tag != ' '):
        return None
    return ported


def _align_insertion(lines, body):
    """Anchor a hunk that only adds lines by its nearest context line.

    For each run of added lines, the nearest code context line before it
    (else after it) that occurs exactly once in the file is the anchor;
    the anchors must keep their order.  None when a hunk removes code or
    a run has no such anchor.
    """
    if any(tag == '-' and _is_code_line(text) for tag, text in body):
        return None
    keys = [common.ws_key(line) if _is_code_line(line) else None
            for line in lines]

    def unique(index):
        key = common.ws_key(body[index][1])
        return keys.index(key) if keys.count(key) == 1 else None

    context = [i for i, (tag, text) in enumerate(body)
               if tag == ' ' and _is_code_line(text)]
    mapping = {}
    i = 0
    while i < len(body):
        if body[i][0] != '+':
            i += 1
            continue
        end = i
        while end < len(body) and body[end][0] == '+':
            end += 1
        before = [c for c in reversed(context) if c < i]
        after = [c for c in context if c >= end]
        anchor = next((c for c in before[:1] if unique(c) is not None),
                      None)
        if anchor is None:
            anchor = next((c for c in after[:1] if unique(c) is not None),
                          None)
        if anchor is None:
            return None
        mapping[anchor] = unique(anchor)
        i = end
    ordered = [mapping[k] for k in sorted(mapping)]
    if not mapping or ordered != sorted(ordered):
        return None
    return mapping


def _splice(lines, body, mapping, how):
    """Rebuild ``lines`` with ``body`` applied at the mapped lines."""
    first = min(mapping.values())
    last = max(mapping.values())
    delta = 0
    for index, line_no in sorted(mapping.items()):
        if body[index][1].strip() and lines[line_no].strip():
            delta = (_indent_width(lines[line_no])
                     - _indent_width(body[index][1]))
            break
    out = []
    cursor = first
    for index, (tag, text) in enumerate(body):
        if index in mapping:
            target = mapping[index]
            out.extend(lines[cursor:target])
            if tag == ' ':
                out.append(lines[target])
            cursor = target + 1
        elif tag == '+':
            out.append(_reindent(text, delta))
    out.extend(lines[cursor:last + 1])
    new_lines = lines[:first] + out + lines[last + 1:]
    return new_lines, first + len(out), how


def _reindent(text, delta):
    if not text.strip() or delta == 0:
        return text
    if delta > 0:
        return ' ' * delta + text
    width = _indent_width(text)
    return text.expandtabs(8)[min(-delta, width):]
