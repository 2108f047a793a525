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


"""TEST_DIFF and NOVA_DIFF: a review's diff applied to the test and nova.

Unified diff hunks applied by content, strict first: each hunk's context
and removed lines are looked for on a ladder of rungs (:data:`_LADDER`),
exact, then trailing whitespace ignored, then indentation ignored, then
comments and blank lines ignored; the first rung where they match in one
place decides.  A hunk whose context is from another version of the file
is placed by what it changes (:mod:`.other_version`).
"""

import posixpath

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import other_version
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
                change.target.path or 'test')
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


# The rungs: (name, significant(line), key(line)); see the module docstring.
_LADDER = (
    ('exact', lambda line: True, lambda line: line),
    ('trailing whitespace ignored', lambda line: True,
     lambda line: line.rstrip()),
    ('indentation ignored', lambda line: True, common.ws_key),
    ('comments and blank lines ignored', other_version.is_code_line,
     common.ws_key),
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
    """(lines, floor, how): ``body`` applied to ``lines``, or Refused.

    ``floor``: the line after the previous hunk of the diff, which breaks
    a tie between places the context matches.
    """
    old = [(index, text) for index, (tag, text) in enumerate(body)
           if tag in (' ', '-')]
    if not any(tag in ('-', '+') for tag, _text in body):
        return lines, floor, 'context only, nothing to do'
    for rung in _LADDER:
        mapping = _match_context(lines, old, floor, rung)
        if mapping is not None:
            return _splice(lines, body, mapping, rung[0])
    if other_version.already_applied(lines, body):
        return lines, floor, 'already applied (its removed lines are ' \
            'absent, its added lines present)'
    placed = other_version.place(lines, body)
    if placed is None:
        raise common.Refused('context not found in the file, and its '
                             'removed lines do not locate uniquely')
    return _splice(lines, *placed)


def _match_context(lines, old, floor, rung):
    """{hunk index: line} of the hunk's ``old`` lines at one rung, or None.

    Refused when the context matches in more than one place (and
    ``floor`` does not pick one), or when the last rung has no line of
    the hunk to match.
    """
    name, significant, key = rung
    wanted = [(index, key(text)) for index, text in old
              if significant(text)]
    if not wanted:
        if name == _LADDER[-1][0]:
            raise common.Refused('has no context or removed lines to '
                                 'anchor it')
        return None
    positions = [i for i, line in enumerate(lines) if significant(line)]
    keys = [key(lines[i]) for i in positions]
    wanted_keys = [k for _i, k in wanted]
    size = len(wanted_keys)
    found = [m for m in range(len(keys) - size + 1)
             if keys[m:m + size] == wanted_keys]
    if not found:
        return None
    start = _one_match(found, positions, floor, name)
    return {index: positions[start + k]
            for k, (index, _key) in enumerate(wanted)}


def _one_match(found, positions, floor, name):
    """The match to use: the only one, or the only one from ``floor`` on."""
    if len(found) == 1:
        return found[0]
    later = [m for m in found if positions[m] >= floor]
    if floor and len(later) == 1:
        return later[0]
    raise common.Refused('context is ambiguous (%s): it matches at lines %s'
                         % (name, ', '.join(str(positions[m] + 1)
                                            for m in found[:5])))


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
