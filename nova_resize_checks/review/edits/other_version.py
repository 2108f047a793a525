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


"""Diff hunks written against another version of the file.

When a hunk's context is not in the file (it quotes upstream's 2019
recreate version, or upstream's current copy with comments ours does not
have, ...), only what the hunk changes must be found: :func:`place` tries
its changed lines (:func:`align_changed`), then the context line next to
what it adds (:func:`align_insertion`), then the hunk reduced to what is
not already so here (:func:`port_hunk`).  :func:`already_applied` says
when nothing is left to do.
"""

import difflib
import re

from nova_resize_checks.review.edits import common


def is_code_line(line):
    """Neither blank nor a comment only."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith('#')


def place(lines, body):
    """(hunk, mapping, how) for a hunk whose context is not in ``lines``.

    ``hunk`` is ``body`` or, ported, what of it applies here; ``mapping``
    takes its indexes to lines of the file.  None when it cannot be placed.
    """
    mapping = align_changed(lines, body)
    if mapping is not None:
        return body, mapping, ('applied by its changed lines (the context '
                               'differs)')
    mapping = align_insertion(lines, body)
    if mapping is not None:
        return body, mapping, ('added next to the context line it follows '
                               '(the rest of the context differs)')
    ported = port_hunk(lines, body)
    if ported is not None:
        for align in (align_changed, align_insertion):
            mapping = align(lines, ported)
            if mapping is not None:
                return ported, mapping, ('ported: only what it changes that '
                                         'is not already so was applied '
                                         '(written against another '
                                         'version)')
    return None


def _code_keys(body, tags):
    return [common.ws_key(text) for tag, text in body
            if tag in tags and is_code_line(text)]


def already_applied(lines, body):
    """Removed code lines all absent and added ones present, in order."""
    added = _code_keys(body, '+')
    removed = [k for k in _code_keys(body, '-') if k not in set(added)]
    if not added or not removed:
        return False
    keys = [common.ws_key(line) for line in lines if is_code_line(line)]
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


def align_changed(lines, body):
    """Map the hunk's code lines onto the file by the best alignment.

    Every removed code line must be aligned, either inside a run of two or
    more aligned lines or on a line that occurs once in the file; else
    None (the hunk is refused rather than guessed).
    """
    positions = [i for i, line in enumerate(lines) if is_code_line(line)]
    file_keys = [common.ws_key(lines[i]) for i in positions]
    old = [(index, common.ws_key(text))
           for index, (tag, text) in enumerate(body)
           if tag in (' ', '-') and is_code_line(text)]
    removed = {index for index, (tag, text) in enumerate(body)
               if tag == '-' and is_code_line(text)}
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


def port_hunk(lines, body):
    """A hunk written against another version, reduced to its changes here.

    None when nothing is left or nothing was reduced.  Removed lines the
    file does not have are already gone; added lines the file has are
    already there (they become context); a removed assignment
    whose name the file still uses elsewhere stays (the review removed it
    with uses in its own version that this file does not have); removed
    comments go with the lines they describe.
    """
    keys = [common.ws_key(line) for line in lines if is_code_line(line)]
    present = set(keys)
    removed = {common.ws_key(text) for tag, text in body
               if tag == '-' and is_code_line(text)}
    ported = []
    changed = False
    for tag, text in body:
        now = _ported_tag(tag, text, keys, present, removed)
        changed = changed or now != tag
        if now is not None:
            ported.append((now, text))
    if not changed or not any(tag in '+-' and is_code_line(text)
                              for tag, text in ported if tag != ' '):
        return None
    return ported


def _ported_tag(tag, text, keys, present, removed):
    """What a hunk line's tag becomes here: None when it is already gone.

    ``keys``/``present``: the file's code lines (whitespace folded), as a
    list and a set; ``removed``: the hunk's removed code lines.  A line
    already so here becomes context (' ').
    """
    code = is_code_line(text)
    key = common.ws_key(text)
    if tag == '-':
        if not code or key not in present:
            return None
        if _still_used(text, key, keys, removed):
            return ' '
    elif tag == '+' and code and key in present:
        return ' '
    return tag


def _still_used(text, key, keys, removed):
    """A removed assignment whose name other lines of the file use."""
    m = _ASSIGNED_NAME.match(text)
    return bool(m) and any(re.search(r'\b%s\b' % re.escape(m.group(1)), k)
                           for k in keys if k != key and k not in removed)


def align_insertion(lines, body):
    """Anchor a hunk that only adds lines by its nearest context line.

    For each run of added lines, the nearest code context line before it
    (else after it) that occurs exactly once in the file is the anchor;
    the anchors must keep their order.  None when a hunk removes code or
    a run has no such anchor.
    """
    if any(tag == '-' and is_code_line(text) for tag, text in body):
        return None
    keys = [common.ws_key(line) if is_code_line(line) else None
            for line in lines]
    context = [i for i, (tag, text) in enumerate(body)
               if tag == ' ' and is_code_line(text)]
    mapping = {}
    for start, end in _added_runs(body):
        anchor = _anchor(keys, body, context, start, end)
        if anchor is None:
            return None
        mapping[anchor] = _unique(keys, body[anchor][1])
    ordered = [mapping[k] for k in sorted(mapping)]
    if not mapping or ordered != sorted(ordered):
        return None
    return mapping


def _added_runs(body):
    """(start, end) of each run of added lines in a hunk."""
    i = 0
    while i < len(body):
        if body[i][0] != '+':
            i += 1
            continue
        end = i
        while end < len(body) and body[end][0] == '+':
            end += 1
        yield i, end
        i = end


def _anchor(keys, body, context, start, end):
    """The context line before the run (else after it) unique in the file.

    Only the nearest context line on either side is a candidate; None
    when neither is unique.
    """
    before = [c for c in reversed(context) if c < start]
    after = [c for c in context if c >= end]
    for candidate in before[:1] + after[:1]:
        if _unique(keys, body[candidate][1]) is not None:
            return candidate
    return None


def _unique(keys, text):
    """The index of ``text``'s key in ``keys`` when it occurs once, or None."""
    key = common.ws_key(text)
    return keys.index(key) if keys.count(key) == 1 else None
